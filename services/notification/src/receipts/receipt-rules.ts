import type { ChannelKind } from '../channels/channel';
import type { MessageStatus } from '../messages/message';

/*
 * What a delivery receipt does to a message, pure. A receipt speaks about one attempt: the one the
 * provider accepted (its BizId, or the Message-ID we gave the e-mail). It changes the message only
 * while that attempt is what the message stands on (status `sent`, same provider id); otherwise
 * it is only noted on the attempt (the message has already failed over, was re-sent, or ended).
 */

export type ReceiptOutcome = 'delivered' | 'failed';

export interface Receipt {
  readonly outcome: ReceiptOutcome;
  /** Provider code (`DELIVERED`, `MK:0001`) or DSN status (`5.1.1`): a closed code, never a text. */
  readonly code: string | null;
}

export interface ReceiptTarget {
  readonly status: MessageStatus;
  readonly channelPlan: readonly ChannelKind[];
  readonly channelIndex: number;
  /** The provider id the message is standing on (the accepted attempt's). */
  readonly providerMessageId: string | null;
  /** The provider id the receipt names. */
  readonly receiptProviderId: string;
  /** The attempt already has a receipt (a second one for it, e.g. delivered after failed, changes nothing). */
  readonly attemptHasReceipt: boolean;
}

export type ReceiptEffect =
  | { readonly effect: 'delivered' }
  | { readonly effect: 'failover'; readonly channelIndex: number; readonly channel: ChannelKind }
  | { readonly effect: 'failed' }
  /** Noted on the attempt only: the message no longer stands on it, or the attempt had a receipt. */
  | { readonly effect: 'recorded' };

/**
 * `useful`: whether reaching the person later still helps (see `stillUseful`). A late failure fails
 * over to the plan's next channel while it does; otherwise, or after the last channel, the message
 * has failed for good (the same end as when every channel refused at send time).
 */
export function receiptEffect(t: ReceiptTarget, r: Receipt, useful: boolean): ReceiptEffect {
  const current = t.status === 'sent' && t.providerMessageId === t.receiptProviderId && !t.attemptHasReceipt;
  if (!current) return { effect: 'recorded' };
  if (r.outcome === 'delivered') return { effect: 'delivered' };
  const next = t.channelIndex + 1;
  if (useful && next < t.channelPlan.length)
    return { effect: 'failover', channelIndex: next, channel: t.channelPlan[next]! };
  return { effect: 'failed' };
}

export interface Usefulness {
  /** State of the task the message serves; null for task-less notices (closing, heads-up). */
  readonly taskState: string | null;
  /** The case deadline the message is about, when it has one. */
  readonly deadline: Date | null;
  readonly queuedAt: Date;
}

/** Task-less notices (a closing notice, a heads-up) are news for about a day. */
export const NOTICE_USEFUL_FOR_MS = 24 * 3_600_000;

/**
 * Whether a late failure is still worth another channel: the task it serves is still open or
 * acknowledged (a closed task's messages are cancelled too), its deadline has not passed, and a
 * notice without a task is less than a day old.
 */
export function stillUseful(u: Usefulness, now: Date): boolean {
  if (u.taskState === 'closed') return false;
  if (u.deadline && u.deadline.getTime() <= now.getTime()) return false;
  if (u.taskState === null && now.getTime() - u.queuedAt.getTime() > NOTICE_USEFUL_FOR_MS) return false;
  return true;
}

/** A provider code as our error code (`SMS_DR_MK:0001`, `DSN_5.1.1`): the channel's closed alphabet only. */
export function receiptErrorCode(prefix: 'SMS_DR' | 'DSN', code: string | null): string {
  return `${prefix}_${(code ?? 'UNKNOWN').replace(/[^A-Za-z0-9_.:-]/g, '_')}`.slice(0, 64);
}
