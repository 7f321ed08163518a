/**
 * When a failed delivery is tried again. The first attempt goes at once; after the n-th failure the
 * n-th delay of the schedule applies (default about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h,
 * 24 h: ten attempts over about three days, as Standard Webhooks senders do). Every delay gets up to
 * `jitter` of itself added or taken away, so a subscriber that comes back is not hit by every waiting
 * delivery in the same second.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

export const DEFAULT_RETRY_JITTER = 0.1;

export type RetryDecision = { readonly retry: true; readonly at: Date } | { readonly retry: false };

/**
 * After the `failuresSoFar`-th failed attempt (1 for the first) of the current round (a replay starts
 * a new round): the next attempt's time, or no retry once the schedule is used up.
 * `random` returns [0, 1) (injected so specs can pin it).
 */
export function nextAttempt(
  failuresSoFar: number,
  now: Date,
  schedule: readonly number[],
  random: () => number,
  jitter = DEFAULT_RETRY_JITTER,
): RetryDecision {
  const delay = schedule[failuresSoFar - 1];
  if (failuresSoFar < 1 || delay === undefined) return { retry: false };
  const spread = delay * jitter * (2 * random() - 1);
  return { retry: true, at: new Date(now.getTime() + Math.max(0, Math.round(delay + spread))) };
}
