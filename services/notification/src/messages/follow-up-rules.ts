import type { RejectionReasonName } from '@portico/contracts';
import type { ChannelKind } from '../channels/channel';
import type { QuietHours } from '../directory/directory.types';
import { quietHoursHold } from '../outreach/escalation';
import { rateLimitedUntil, type RateLimits, type ResidentChannel } from './message-rules';

/*
 * Pure rules of the follow-up messages: which channels a resend uses, whether a resident may get
 * one more message now, what a steward's re-upload reason means to the resident, and when a
 * notice that can wait is held for the property's quiet hours.
 */

/** Why a steward asks for new photos (the console's choices). */
export const REUPLOAD_REASONS = ['blurry', 'back_missing', 'expired', 'name_mismatch', 'other'] as const;
export type ReuploadReason = (typeof REUPLOAD_REASONS)[number];

/**
 * The contract's rejection reason with the same advice to the resident (templates/rejection-reasons),
 * so the steward's request and a vault rejection say the same thing for the same problem.
 */
export const REUPLOAD_ADVICE: Readonly<Record<ReuploadReason, RejectionReasonName>> = {
  blurry: 'unreadable',
  back_missing: 'side_missing',
  expired: 'expired',
  name_mismatch: 'name_mismatch',
  other: 'other',
};

export type ResendPlan =
  | { readonly ok: true; readonly plan: readonly ChannelKind[] }
  | { readonly ok: false; readonly available: readonly ChannelKind[] };

/**
 * A resend goes on the channel the steward chose, first, and fails over to the resident's other
 * usable channels after it; without a choice, the resident's own order. A chosen channel the
 * resident cannot be reached on (no consent, no address, disabled here) is refused, not skipped.
 */
export function resendPlan(usable: readonly ChannelKind[], chosen: ResidentChannel | null): ResendPlan {
  if (!chosen) return usable.length > 0 ? { ok: true, plan: usable } : { ok: false, available: [] };
  if (!usable.includes(chosen)) return { ok: false, available: usable };
  return { ok: true, plan: [chosen, ...usable.filter((c) => c !== chosen)] };
}

/**
 * When the resident may be sent one more message, counting what went out in the last 24 h and
 * what is already queued for them (each queued one will count as it goes): null = now.
 */
export function residentMayReceiveAt(
  load: { readonly recent: readonly Date[]; readonly queued: number },
  now: Date,
  limits: RateLimits,
): Date | null {
  const pending = Array.from({ length: load.queued }, () => now);
  return rateLimitedUntil([...load.recent, ...pending], now, limits);
}

/** A reminder still goes at night when waiting for the morning would leave less than this before the deadline. */
export const REMINDER_MUST_LEAVE_MS = 2 * 3_600_000;

/**
 * When a resident notice may go out: notices that can wait (hold predicted, case cleared) wait
 * for the end of quiet hours; a reminder too, unless the deadline would then be too close.
 */
export function residentNoticeNotBefore(input: {
  readonly now: Date;
  readonly quietHours: QuietHours | null;
  readonly timeZone: string;
  readonly deadline: Date | null;
}): Date | undefined {
  return quietHoursHold({ ...input, mustLeaveMs: REMINDER_MUST_LEAVE_MS }) ?? undefined;
}

/**
 * When a task's first messages (the steward's new-task notice, the resident's documents message)
 * may go out: after the property's quiet hours, unless the deadline would then leave less than one
 * escalation step (the escalation's own rule, `decideEscalation`: the night a manager sees is the
 * night the steward and the resident see). A documents request starts a deadline, so it is held
 * only while the deadline can still wait for the morning.
 */
export function taskNoticeNotBefore(input: {
  readonly now: Date;
  readonly quietHours: QuietHours | null;
  readonly timeZone: string;
  readonly deadline: Date | null;
  readonly expedited: boolean;
  readonly stepMs: number;
  readonly expeditedStepMs: number;
}): Date | undefined {
  return (
    quietHoursHold({ ...input, mustLeaveMs: input.expedited ? input.expeditedStepMs : input.stepMs }) ??
    undefined
  );
}
