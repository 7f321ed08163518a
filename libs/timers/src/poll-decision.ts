/** What the runner's loop does after one poll. */
export type PollOutcome =
  | { readonly kind: 'claimed'; readonly count: number }
  | { readonly kind: 'failed'; readonly consecutiveFailures: number };

export interface PollSettings {
  readonly batchSize: number;
  readonly intervalMs: number;
  /** Back-off while polling itself fails (database unreachable): doubles from intervalMs to this. */
  readonly maxErrorBackoffMs: number;
}

/**
 * Milliseconds to wait before the next poll. A full batch means more timers are probably due, so
 * poll again at once (a backlog after downtime drains at database speed, not at batch/interval);
 * a partial or empty batch means the due ones are done, so wait the interval. Failures back off
 * exponentially so a database outage is not hammered by every instance.
 */
export function nextPollDelayMs(outcome: PollOutcome, settings: PollSettings): number {
  if (outcome.kind === 'claimed') {
    return outcome.count >= settings.batchSize ? 0 : settings.intervalMs;
  }
  const exponent = Math.min(Math.max(outcome.consecutiveFailures - 1, 0), 30);
  return Math.min(settings.intervalMs * 2 ** exponent, settings.maxErrorBackoffMs);
}
