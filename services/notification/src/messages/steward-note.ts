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
 * and the channel it could move to carries free text; every other end blanks it.
 */

/** SMS goes out as a pre-approved template with fixed parameters: it never carries the note. */
export function channelCarriesNote(channel: ChannelKind): boolean {
  return channel !== 'sms';
}

/**
 * After an attempt a channel accepted: keep the note only when the message may still fail over
 * (accepted but not confirmed delivered) to a later channel of its plan that carries free text.
 */
export function keepNoteAfterSend(
  plan: readonly ChannelKind[],
  channelIndex: number,
  delivered: boolean,
): boolean {
  if (delivered) return false;
  return plan.slice(channelIndex + 1).some(channelCarriesNote);
}

/**
 * A sent message's note is dropped by the sweep once no late receipt can fail it over any more:
 * its task closed or its deadline passed (`stillUseful` in receipt-rules), or — a receipt that
 * never comes — this long after the send (SmsReport pushes within hours; a relay gives up on a
 * deferred e-mail after 5 days, Postfix's default `maximal_queue_lifetime`).
 */
export const NOTE_KEPT_AFTER_SEND_MS = 5 * 24 * 3_600_000;

/** How often the worker runs the sweep (one UPDATE over the few rows that still hold a note). */
export const NOTE_SWEEP_INTERVAL_MS = 60_000;
