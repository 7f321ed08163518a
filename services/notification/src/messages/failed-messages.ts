import { ConflictError, NotFoundError } from '@portico/service-kit';
import { z } from 'zod';

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
