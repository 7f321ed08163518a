import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReadScope } from '../outreach/task-access';
import { SqlConditions } from '../shared/sql-conditions';
import type { MessageAttemptRow, MessageHistoryRow } from './message-history';

export interface MessageHistoryFilter extends ReadScope {
  readonly parcelId?: string;
  readonly caseId?: string;
  readonly taskId?: string;
  readonly limit: number;
}

/** The read side of the message queue for stewards: only the columns the history shows. */
@Injectable()
export class MessageHistoryRepository {
  async list(m: EntityManager, f: MessageHistoryFilter): Promise<MessageHistoryRow[]> {
    const q = new SqlConditions()
      .optional('tenant_id = ?', f.tenantId)
      .optional('property_id = ANY(?::text[])', f.propertyIds)
      .optional('parcel_id = ?', f.parcelId)
      .optional('case_id = ?', f.caseId)
      .optional('task_id = ?', f.taskId);
    const limit = q.bind(f.limit);
    const rows: Array<Record<string, never>> = await m.query(
      `SELECT id, tenant_id, property_id, task_id, case_id, parcel_id, recipient_role, template_id, template_version,
              language, channel_plan, channel_index, attempt, status, last_error_code, created_at, finished_at
         FROM messages
        ${q.where}
        ORDER BY created_at, id
        LIMIT ${limit}`,
      q.params,
    );
    return rows.map(toHistoryRow);
  }

  async attempts(m: EntityManager, messageIds: readonly string[]): Promise<MessageAttemptRow[]> {
    if (messageIds.length === 0) return [];
    const rows: Array<Record<string, never>> = await m.query(
      `SELECT message_id, attempt, channel, started_at, finished_at, outcome, error_code,
              receipt_outcome, receipt_code, receipt_at
         FROM message_attempts WHERE message_id = ANY($1::text[]) ORDER BY message_id, attempt`,
      [messageIds],
    );
    return rows.map((r) => ({
      messageId: r.message_id,
      attempt: r.attempt,
      channel: r.channel,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      outcome: r.outcome,
      errorCode: r.error_code,
      receiptOutcome: r.receipt_outcome,
      receiptCode: r.receipt_code,
      receiptAt: r.receipt_at,
    }));
  }

  /** The tenant and property of a task, to tell whether the caller may see it. */
  async taskScope(
    m: EntityManager,
    taskId: string,
  ): Promise<{ tenantId: string; propertyId: string } | undefined> {
    const rows: Array<{ tenant_id: string; property_id: string }> = await m.query(
      'SELECT tenant_id, property_id FROM outreach_tasks WHERE id = $1',
      [taskId],
    );
    return rows[0] ? { tenantId: rows[0].tenant_id, propertyId: rows[0].property_id } : undefined;
  }
}

/** The columns the history reads (HISTORY_COLUMNS), as a row of the history. */
export const HISTORY_COLUMNS = `id, tenant_id, property_id, task_id, case_id, parcel_id, recipient_role, template_id,
  template_version, language, channel_plan, channel_index, attempt, status, last_error_code, created_at, finished_at`;

export function toHistoryRow(r: Record<string, never>): MessageHistoryRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    taskId: r.task_id,
    caseId: r.case_id,
    parcelId: r.parcel_id,
    recipientRole: r.recipient_role,
    templateId: r.template_id,
    templateVersion: r.template_version,
    language: r.language,
    channelPlan: r.channel_plan,
    channelIndex: r.channel_index,
    attempt: r.attempt,
    status: r.status,
    lastErrorCode: r.last_error_code,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}
