import { DEFAULT_RETRY_POLICY, retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  it('doubles from the base with each failure', () => {
    const policy = { baseMs: 100, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, policy))).toEqual([100, 200, 400, 800, 1_600]);
  });

  it('is capped, also for absurd attempt counts', () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    expect(retryDelayMs(5, policy)).toBe(1_000);
    expect(retryDelayMs(10_000, policy)).toBe(1_000);
  });

  it('defaults to 1 s doubling up to 1 h', () => {
    expect(retryDelayMs(1)).toBe(1_000);
    expect(retryDelayMs(2)).toBe(2_000);
    expect(retryDelayMs(100)).toBe(DEFAULT_RETRY_POLICY.maxMs);
    expect(DEFAULT_RETRY_POLICY.maxMs).toBe(3_600_000);
  });

  it('rejects a failure count below one and nonsensical policies', () => {
    expect(() => retryDelayMs(0)).toThrow(/positive integer/);
    expect(() => retryDelayMs(1.5)).toThrow(/positive integer/);
    expect(() => retryDelayMs(1, { baseMs: 0, maxMs: 10 })).toThrow(/baseMs/);
    expect(() => retryDelayMs(1, { baseMs: 100, maxMs: 10 })).toThrow(/maxMs/);
  });
});
