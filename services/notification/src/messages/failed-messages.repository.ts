import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlConditions } from '../shared/sql-conditions';
import type { BulkRedriveFilter, RedriveCandidate } from './failed-messages';
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

  /**
   * The bulk re-drive's pick: a tenant's failed messages matching the filter, oldest failure
   * first, those the re-drive may still queue (task open, deadline ahead: `redriveRefusal`'s rule)
   * before the refused ones, so refused messages never crowd the others out of the limit. Not
   * locked: `lockForRedrive` locks them and the rule decides again on what it then sees.
   */
  async redriveCandidates(m: EntityManager, f: BulkRedriveFilter, now: Date): Promise<string[]> {
    const q = new SqlConditions(now)
      .add('msg.status = ?', 'failed')
      .add('msg.tenant_id = ?', f.tenantId)
      .optional('msg.finished_at >= ?', f.since)
      .optional('msg.finished_at < ?', f.until)
      .optional('msg.channel_plan[msg.channel_index + 1] = ?', f.channel)
      .optional('msg.last_error_code = ?', f.errorCode);
    const limit = q.bind(f.limit);
    const rows = (await m.query(
      `SELECT msg.id FROM messages msg LEFT JOIN outreach_tasks t ON t.id = msg.task_id ${q.where}
        ORDER BY (t.state IS DISTINCT FROM 'closed' AND (t.deadline IS NULL OR t.deadline > $1)) DESC,
                 msg.finished_at, msg.id
        LIMIT ${limit}`,
      q.params,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The messages, locked in id order (two re-drives never deadlock), with their task's state and deadline. */
  async lockForRedrive(m: EntityManager, messageIds: readonly string[]): Promise<RedriveCandidate[]> {
    if (messageIds.length === 0) return [];
    const rows = (await m.query(
      `SELECT msg.id, msg.status, msg.task_id, msg.parcel_id, msg.last_error_code, msg.had_steward_note,
              msg.steward_note IS NOT NULL AS has_note, t.state AS task_state, t.deadline AS task_deadline
         FROM messages msg LEFT JOIN outreach_tasks t ON t.id = msg.task_id
        WHERE msg.id = ANY($1::text[]) ORDER BY msg.id FOR UPDATE OF msg`,
      [messageIds],
    )) as Array<{
      id: string;
      status: string;
      task_id: string | null;
      parcel_id: string;
      last_error_code: string | null;
      had_steward_note: boolean;
      has_note: boolean;
      task_state: string | null;
      task_deadline: Date | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      taskId: r.task_id,
      parcelId: r.parcel_id,
      lastErrorCode: r.last_error_code,
      taskState: r.task_state,
      deadline: r.task_deadline,
      hadNote: r.had_steward_note,
      hasNote: r.has_note,
    }));
  }

  /**
   * Back in the queue from the plan's first channel, due now; the history of attempts stays, and so
   * does the steward's note if its keep window has not ended.
   */
  async requeue(m: EntityManager, messageIds: readonly string[], now: Date): Promise<void> {
    if (messageIds.length === 0) return;
    await m.query(
      `UPDATE messages SET status = 'queued', channel_index = 0, channel_attempt = 0, next_attempt_at = $2,
              lease_until = NULL, finished_at = NULL, provider_message_id = NULL, updated_at = now()
        WHERE id = ANY($1::text[]) AND status = 'failed'`,
      [messageIds, now],
    );
  }
}
