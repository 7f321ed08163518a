/** What to do with a record whose handler has now failed `failedAttempts` times. */
export type NextStep =
  { readonly kind: 'retry'; readonly delayMs: number } | { readonly kind: 'dead-letter' };

/** 1 s, 10 s, 1 min, 10 min, 1 h: transient faults clear in the first steps, an outage of a
 * dependency gets over an hour before a human has to replay. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  1_000, 10_000, 60_000, 600_000, 3_600_000,
]);

/**
 * A retry schedule: the n-th failure waits delays[n-1] before the next attempt; after
 * delays.length retries the record is dead-lettered. An empty schedule dead-letters on the first
 * failure.
 */
export class BackoffSchedule {
  readonly delaysMs: readonly number[];

  constructor(delaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS) {
    for (const delay of delaysMs) {
      if (!Number.isFinite(delay) || delay < 0) throw new Error(`Invalid retry delay ${delay}`);
    }
    this.delaysMs = Object.freeze([...delaysMs]);
  }

  /** Handler attempts in total, the first included. */
  get maxAttempts(): number {
    return this.delaysMs.length + 1;
  }

  afterFailure(failedAttempts: number): NextStep {
    if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
      throw new Error(`failedAttempts must be a positive integer, got ${failedAttempts}`);
    }
    const delayMs = this.delaysMs[failedAttempts - 1];
    return delayMs === undefined ? { kind: 'dead-letter' } : { kind: 'retry', delayMs };
  }

  /** Exponential schedule helper: `exponential(1000, 10, 4)` -> 1 s, 10 s, 100 s, 1000 s. */
  static exponential(firstMs: number, factor: number, retries: number): BackoffSchedule {
    return new BackoffSchedule(Array.from({ length: retries }, (_, i) => firstMs * factor ** i));
  }
}
