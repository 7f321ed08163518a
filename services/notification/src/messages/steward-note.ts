import type { ChannelKind } from '../channels/channel';

/*
 * Where the steward's note of a re-upload request (`messages.steward_note`, the one piece of free
 * text the queue carries) may go, and how long it is kept. Pure rules, used by the worker (send
 * time, and the sweep) and by delivery receipts.
 *
 * A failover (at send time, or later on a delivery receipt) is the *same* message row on the
 * plan's next channel: template, version and variables stay as queued. Only the note was lost,
 * because an accepted send blanked it — and SMS/e-mail "accepted" is not "received": a late
 * receipt can still move the message on. So the note is kept while such a move can still happen
 * and the channel it could move to carries free text. A message that failed for good keeps it
 * too, for a bounded window, so that an operator's re-drive (the same row again, from the plan's
 * first channel) still says what the steward wrote. Delivered and cancelled blank it.
 */

/** SMS goes out as a pre-approved template with fixed parameters: it never carries the note. */
export function channelCarriesNote(channel: ChannelKind): boolean {
  return channel !== 'sms';
}

/**
 * Whether a plan can carry the note at all: a failover (to a later channel) or an operator's
 * re-drive (from the first channel again) only ever sends it on these channels.
 */
export function planCarriesNote(plan: readonly ChannelKind[]): boolean {
  return plan.some(channelCarriesNote);
}

/**
 * After an attempt a channel accepted: keep the note unless the message is confirmed delivered or
 * no channel of its plan carries free text. Accepted-but-unconfirmed can still turn into a late
 * failover (to a later channel) or a failure for good on the last channel, which an operator may
 * re-drive from the first channel — both want the note (ADR 0010, and its update for the re-drive).
 */
export function keepNoteAfterSend(plan: readonly ChannelKind[], delivered: boolean): boolean {
  return !delivered && planCarriesNote(plan);
}

/**
 * A message that failed for good keeps its note for an operator's re-drive, when a channel of its
 * plan carries it; the sweep drops it after `MESSAGE_REDRIVE_NOTE_KEEP_MS`, or sooner once its
 * task closed or its deadline passed (the re-drive is refused then anyway).
 */
export function keepNoteAfterFailure(plan: readonly ChannelKind[]): boolean {
  return planCarriesNote(plan);
}

/**
 * A sent message's note is dropped by the sweep once no late receipt can fail it over any more:
 * its task closed or its deadline passed (`stillUseful` in receipt-rules), or — a receipt that
 * never comes — this long after the send (SmsReport pushes within hours; a relay gives up on a
 * deferred e-mail after 5 days, Postfix's default `maximal_queue_lifetime`).
 */
export const NOTE_KEPT_AFTER_SEND_MS = 5 * 24 * 3_600_000;

/** How long the sweep lets each kind of kept note live (after the send / after the failure). */
export interface NoteKeepWindows {
  readonly afterSendMs: number;
  readonly afterFailureMs: number;
}

/** How often the worker runs the sweep (one UPDATE over the few rows that still hold a note). */
export const NOTE_SWEEP_INTERVAL_MS = 60_000;
