import { isParcelId, type MessageAttemptView, type MessageView } from '@portico/contracts';
import { z } from 'zod';
import type { MessageStatus, RecipientRole } from './message';

const id = z.string().trim().min(1).max(100);

/** `GET /v1/outreach/messages` query: a parcel's, a case's or a task's messages. */
export const messageHistoryQuery = z
  .object({
    parcelId: z.string().trim().refine(isParcelId, 'must be a parcel id (prc_ + 32 hex digits)').optional(),
    caseId: id.optional(),
    taskId: id.optional(),
    propertyId: id.optional(),
    tenantId: id.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(100),
  })
  .strict()
  .refine((q) => q.parcelId || q.caseId || q.taskId, {
    message: 'give at least one of parcelId, caseId or taskId',
  });

export type MessageHistoryQuery = z.output<typeof messageHistoryQuery>;

/** A `messages` row as the history reads it: no recipient id, variables, note or trace context. */
export interface MessageHistoryRow {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly taskId: string | null;
  readonly caseId: string | null;
  readonly parcelId: string;
  readonly recipientRole: RecipientRole;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly language: 'zh' | 'en';
  readonly channelPlan: readonly string[];
  readonly channelIndex: number;
  readonly attempt: number;
  readonly status: MessageStatus;
  readonly lastErrorCode: string | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

export interface MessageAttemptRow {
  readonly messageId: string;
  readonly attempt: number;
  readonly channel: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: string;
  readonly errorCode: string | null;
  readonly receiptOutcome?: 'delivered' | 'failed' | null;
  readonly receiptCode?: string | null;
  readonly receiptAt?: Date | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * One message as the steward's timeline shows it. Sent is the first attempt the channel accepted;
 * delivered and failed are the message's end (only WeCom/DingTalk confirm delivery). Pure.
 */
export function toMessageView(row: MessageHistoryRow, attempts: readonly MessageAttemptRow[]): MessageView {
  const log = [...attempts].sort((a, b) => a.attempt - b.attempt);
  const firstSent = log.find((a) => a.outcome === 'sent');
  const done = row.status === 'sent' || row.status === 'delivered';
  return {
    id: row.id,
    taskId: row.taskId,
    caseId: row.caseId,
    parcelId: row.parcelId,
    tenantId: row.tenantId,
    propertyId: row.propertyId,
    recipientRole: row.recipientRole,
    templateRef: `${row.templateId}@${row.templateVersion}`,
    language: row.language,
    status: row.status,
    channel: row.channelPlan[row.channelIndex] ?? row.channelPlan[0]!,
    channelPlan: row.channelPlan,
    attempts: row.attempt,
    failedOverFrom: row.channelPlan.slice(0, row.channelIndex),
    queuedAt: row.createdAt.toISOString(),
    sentAt: iso(firstSent?.finishedAt ?? (done ? row.finishedAt : null)),
    deliveredAt: row.status === 'delivered' ? iso(row.finishedAt) : null,
    failedAt: row.status === 'failed' ? iso(row.finishedAt) : null,
    lastErrorCode: row.lastErrorCode,
    attemptLog: log.map((a): MessageAttemptView => ({
      attempt: a.attempt,
      channel: a.channel,
      startedAt: a.startedAt.toISOString(),
      finishedAt: iso(a.finishedAt),
      outcome: a.outcome,
      errorCode: a.errorCode,
      receipt: a.receiptOutcome
        ? { outcome: a.receiptOutcome, code: a.receiptCode ?? null, at: iso(a.receiptAt ?? null)! }
        : null,
    })),
  };
}
