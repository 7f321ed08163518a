import { BackoffSchedule, DEFAULT_RETRY_DELAYS_MS } from './backoff-schedule';

describe('BackoffSchedule', () => {
  it('waits delays[n-1] after the n-th failure and dead-letters after the last', () => {
    const schedule = new BackoffSchedule([1_000, 10_000, 60_000]);
    expect(schedule.afterFailure(1)).toEqual({ kind: 'retry', delayMs: 1_000 });
    expect(schedule.afterFailure(2)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(schedule.afterFailure(3)).toEqual({ kind: 'retry', delayMs: 60_000 });
    expect(schedule.afterFailure(4)).toEqual({ kind: 'dead-letter' });
    expect(schedule.maxAttempts).toBe(4);
  });

  it('dead-letters on the first failure when there are no retries', () => {
    expect(new BackoffSchedule([]).afterFailure(1)).toEqual({ kind: 'dead-letter' });
  });

  it('defaults to 1 s, 10 s, 1 min, 10 min, 1 h', () => {
    expect(new BackoffSchedule().delaysMs).toEqual(DEFAULT_RETRY_DELAYS_MS);
    expect(DEFAULT_RETRY_DELAYS_MS[0]).toBe(1_000);
  });

  it('builds exponential schedules', () => {
    expect(BackoffSchedule.exponential(1_000, 10, 3).delaysMs).toEqual([1_000, 10_000, 100_000]);
  });

  it('rejects nonsense', () => {
    expect(() => new BackoffSchedule([-1])).toThrow();
    expect(() => new BackoffSchedule([Number.NaN])).toThrow();
    expect(() => new BackoffSchedule([1]).afterFailure(0)).toThrow();
  });
});
