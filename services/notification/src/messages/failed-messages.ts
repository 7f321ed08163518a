import { BadRequestError, ConflictError, NotFoundError } from '@portico/service-kit';
import { z } from 'zod';
import { CHANNEL_KINDS, type ChannelKind } from '../channels/channel';

/*
 * Operators' view of messages that failed for good, and the re-drive: the message goes back into
 * the queue from the first channel of its plan (the person's consent and address are checked
 * again at send time, as for every attempt). Pure parts and the errors.
 */

const id = z.string().trim().min(1).max(100);

/** `GET /v1/outreach/messages/failed?tenantId=&since=&limit=` */
export const failedMessagesQuery = z
  .object({
    tenantId: id.optional(),
    since: z.coerce.date().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type FailedMessagesQuery = z.output<typeof failedMessagesQuery>;

export type RedriveRefusal = 'not_failed' | 'task_closed' | 'deadline_passed';
export type RedriveOutcome = 'queued' | RedriveRefusal;
export const REDRIVE_OUTCOMES: readonly RedriveOutcome[] = [
  'queued',
  'not_failed',
  'task_closed',
  'deadline_passed',
];

/** A message as the re-drive sees it once locked: enough to decide, count and log (ids only). */
export interface RedriveCandidate {
  readonly id: string;
  readonly status: string;
  readonly taskId: string | null;
  readonly parcelId: string;
  readonly lastErrorCode: string | null;
  readonly taskState: string | null;
  readonly deadline: Date | null;
  /** Queued with a steward's note, and whether the note is still stored (its keep window). */
  readonly hadNote: boolean;
  readonly hasNote: boolean;
}

/**
 * Whether a message may be sent again: only a failed one (a queued or sent one is already on its
 * way: re-driving twice queues nothing more), not for a closed task (the worker would cancel it),
 * not after the deadline it was about.
 */
export function redriveRefusal(
  m: { readonly status: string; readonly taskState: string | null; readonly deadline: Date | null },
  now: Date,
): RedriveRefusal | null {
  if (m.status !== 'failed') return 'not_failed';
  if (m.taskState === 'closed') return 'task_closed';
  if (m.deadline && m.deadline.getTime() <= now.getTime()) return 'deadline_passed';
  return null;
}

/**
 * The re-drive sends the same row again, with the steward's note only if it is still stored: after
 * `MESSAGE_REDRIVE_NOTE_KEEP_MS` the sweep has dropped it, and the operator is told so.
 */
export function noteDropped(c: Pick<RedriveCandidate, 'hadNote' | 'hasNote'>): boolean {
  return c.hadNote && !c.hasNote;
}

/** Most messages one bulk re-drive queues: one transaction holds their locks. */
export const BULK_REDRIVE_MAX = 500;

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' });

/** `POST /v1/outreach/messages/redrive`: the shape; the rules with their own codes are below. */
const bulkRedriveBody = z
  .object({
    // Blank counts as missing: it gets the tenant's own code below.
    tenantId: z.string().trim().max(100).optional(),
    since: isoTime.pipe(z.coerce.date()).optional(),
    until: isoTime.pipe(z.coerce.date()).optional(),
    channel: z.enum(CHANNEL_KINDS).optional(),
    errorCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be an error code as the failed-message list shows it')
      .optional(),
    limit: z.number().int().min(1).optional(),
  })
  .strict();

export interface BulkRedriveFilter {
  readonly tenantId: string;
  readonly since?: Date;
  readonly until?: Date;
  /** The channel the message failed on last. */
  readonly channel?: ChannelKind;
  readonly errorCode?: string;
  readonly limit: number;
}

const FILTER_ERRORS = {
  redrive_tenant_required: {
    en: 'Say which tenant’s failed messages to send again (tenantId); a re-drive never spans tenants.',
    zh: '请指定要重新发送哪个租户的失败消息（tenantId）；重新发送不能跨租户。',
  },
  redrive_window_invalid: {
    en: '"since" must be before "until".',
    zh: '“since” 必须早于 “until”。',
  },
  redrive_limit_exceeded: {
    en: `At most ${BULK_REDRIVE_MAX} messages can be sent again in one call.`,
    zh: `一次最多只能重新发送 ${BULK_REDRIVE_MAX} 条消息。`,
  },
} as const;

export class RedriveFilterError extends BadRequestError {
  constructor(code: keyof typeof FILTER_ERRORS, details?: Record<string, unknown>) {
    super(code, FILTER_ERRORS[code], details);
  }
}

/**
 * The bulk re-drive's filter: a wrong shape is `validation_failed` (issue paths, never the value);
 * a missing tenant, an empty time window or too large a limit have codes of their own.
 */
export function parseBulkRedriveFilter(body: unknown): BulkRedriveFilter {
  const b = bulkRedriveBody.parse(body ?? {});
  if (!b.tenantId) throw new RedriveFilterError('redrive_tenant_required');
  if (b.since && b.until && b.since.getTime() >= b.until.getTime())
    throw new RedriveFilterError('redrive_window_invalid');
  if (b.limit !== undefined && b.limit > BULK_REDRIVE_MAX)
    throw new RedriveFilterError('redrive_limit_exceeded', { maxMessages: BULK_REDRIVE_MAX });
  return { ...b, tenantId: b.tenantId, limit: b.limit ?? 100 };
}

export interface RedriveTally {
  readonly counts: Record<RedriveOutcome, number>;
  /** Queued again, in the order decided. */
  readonly queued: string[];
  /** Of those, the ones that go without the steward's note (its keep window had ended). */
  readonly noteDropped: string[];
}

/** Decides each locked candidate with the single re-drive's own rule, and counts the outcomes. */
export function tallyRedrives(candidates: readonly RedriveCandidate[], now: Date): RedriveTally {
  const counts = Object.fromEntries(REDRIVE_OUTCOMES.map((o) => [o, 0])) as Record<RedriveOutcome, number>;
  const queued: string[] = [];
  const dropped: string[] = [];
  for (const c of candidates) {
    const refusal = redriveRefusal(c, now);
    counts[refusal ?? 'queued'] += 1;
    if (refusal) continue;
    queued.push(c.id);
    if (noteDropped(c)) dropped.push(c.id);
  }
  return { counts, queued, noteDropped: dropped };
}

export class MessageNotFoundError extends NotFoundError {
  constructor(messageId: string) {
    super('message_not_found', { en: 'There is no such message.', zh: '没有这条消息。' }, { messageId });
  }
}

const REFUSALS: Record<RedriveRefusal, { en: string; zh: string }> = {
  not_failed: {
    en: 'Only a message that failed can be sent again; this one is queued, sent or cancelled.',
    zh: '只有发送失败的消息才能重新发送；此消息已在队列中、已发送或已取消。',
  },
  task_closed: {
    en: 'The task this message was for is closed; sending it again would not help.',
    zh: '此消息所属的任务已关闭，重新发送没有意义。',
  },
  deadline_passed: {
    en: 'The deadline this message was about has passed.',
    zh: '此消息相关的截止时间已过。',
  },
};

export class MessageNotRedrivableError extends ConflictError {
  constructor(messageId: string, reason: RedriveRefusal) {
    super(`message_${reason}`, REFUSALS[reason], { messageId });
  }
}
