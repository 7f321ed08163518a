/** How far a failing timer's due time moves back after each failed attempt. */
export interface RetryPolicy {
  /** Delay after the first failure. */
  readonly baseMs: number;
  /** Cap: a timer keeps retrying forever, but never waits longer than this between attempts. */
  readonly maxMs: number;
}

/**
 * 1 s, 2 s, 4 s ... capped at 1 h: a transient fault (deadlock, a restarting dependency) clears in
 * the first steps; a broken handler costs one attempt an hour per timer instead of a hot loop.
 * Timers are never dropped after N attempts: a reminder or purge that silently disappears is worse
 * than one that keeps failing visibly (portico_timers_fired_total{outcome="failed"}, last_error).
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ baseMs: 1_000, maxMs: 3_600_000 });

/** The delay before the next attempt of a timer that has now failed `failures` times (>= 1). */
export function retryDelayMs(failures: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  if (!Number.isInteger(failures) || failures < 1) {
    throw new Error(`failures must be a positive integer, got ${failures}`);
  }
  validatePolicy(policy);
  // Past 2^52 the exponent only overflows; the cap has long been reached by then.
  const exponent = Math.min(failures - 1, 52);
  return Math.min(policy.baseMs * 2 ** exponent, policy.maxMs);
}

export function validatePolicy(policy: RetryPolicy): void {
  if (!Number.isFinite(policy.baseMs) || policy.baseMs <= 0) {
    throw new Error(`retry baseMs must be a positive number, got ${policy.baseMs}`);
  }
  if (!Number.isFinite(policy.maxMs) || policy.maxMs < policy.baseMs) {
    throw new Error(`retry maxMs must be >= baseMs, got ${policy.maxMs}`);
  }
}
