import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlConditions } from '../shared/sql-conditions';
import type { MessageHistoryRow } from './message-history';
import { HISTORY_COLUMNS, toHistoryRow } from './message-history.repository';

/** SQL of the operators' failed-message list and re-drive; every method takes its transaction. */
@Injectable()
export class FailedMessagesRepository {
  /** Failed messages, the latest failure first. */
  async failed(
    m: EntityManager,
    f: { tenantId?: string; since?: Date; limit: number },
  ): Promise<MessageHistoryRow[]> {
    const q = new SqlConditions()
      .add('status = ?', 'failed')
      .optional('tenant_id = ?', f.tenantId)
      .optional('finished_at >= ?', f.since);
    const limit = q.bind(f.limit);
    const rows: Array<Record<string, never>> = await m.query(
      `SELECT ${HISTORY_COLUMNS} FROM messages ${q.where} ORDER BY finished_at DESC, id DESC LIMIT ${limit}`,
      q.params,
    );
    return rows.map(toHistoryRow);
  }

  /** The message, locked, with its task's state and deadline. */
  async lockForRedrive(
    m: EntityManager,
    messageId: string,
  ): Promise<{ row: MessageHistoryRow; taskState: string | null; deadline: Date | null } | null> {
    const [r] = (await m.query(
      `SELECT ${HISTORY_COLUMNS.split(',')
        .map((c) => `msg.${c.trim()}`)
        .join(', ')}, t.state AS task_state, t.deadline AS task_deadline
         FROM messages msg LEFT JOIN outreach_tasks t ON t.id = msg.task_id
        WHERE msg.id = $1 FOR UPDATE OF msg`,
      [messageId],
    )) as Array<Record<string, never> & { task_state: string | null; task_deadline: Date | null }>;
    return r ? { row: toHistoryRow(r), taskState: r.task_state, deadline: r.task_deadline } : null;
  }

  /** Back in the queue from the plan's first channel, due now; its history of attempts stays. */
  async requeue(m: EntityManager, messageId: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'queued', channel_index = 0, channel_attempt = 0, next_attempt_at = $2,
              lease_until = NULL, finished_at = NULL, provider_message_id = NULL, updated_at = now()
        WHERE id = $1 AND status = 'failed'`,
      [messageId, now],
    );
  }
}
