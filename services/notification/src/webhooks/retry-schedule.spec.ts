import { DEFAULT_RETRY_SCHEDULE_MS, nextAttempt } from './retry-schedule';

const NOW = new Date('2026-12-01T00:00:00Z');
const mid = () => 0.5; // no jitter: 2 * 0.5 - 1 = 0

describe('webhook retry schedule', () => {
  it('is about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, ten attempts in all', () => {
    const delays = DEFAULT_RETRY_SCHEDULE_MS.map((_, i) => {
      const next = nextAttempt(i + 1, NOW, DEFAULT_RETRY_SCHEDULE_MS, mid);
      return next.retry ? (next.at.getTime() - NOW.getTime()) / 1000 : null;
    });
    expect(delays).toEqual([5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
  });

  it('gives up after the last delay has been used', () => {
    expect(nextAttempt(9, NOW, DEFAULT_RETRY_SCHEDULE_MS, mid).retry).toBe(true);
    expect(nextAttempt(10, NOW, DEFAULT_RETRY_SCHEDULE_MS, mid)).toEqual({ retry: false });
    expect(nextAttempt(0, NOW, DEFAULT_RETRY_SCHEDULE_MS, mid)).toEqual({ retry: false });
  });

  it('spreads retries by up to ±10 % so a recovered subscriber is not hit all at once', () => {
    const at = (r: number) => {
      const n = nextAttempt(3, NOW, DEFAULT_RETRY_SCHEDULE_MS, () => r);
      return n.retry ? n.at.getTime() - NOW.getTime() : NaN;
    };
    expect(at(0)).toBe(1_800_000 * 0.9);
    expect(at(0.999999)).toBeCloseTo(1_800_000 * 1.1, -2);
    expect(at(0.25)).toBe(1_800_000 * 0.95);
  });

  it('follows a configured (fast, test) schedule', () => {
    const fast = [50, 100];
    const first = nextAttempt(1, NOW, fast, mid);
    expect(first.retry && first.at.getTime() - NOW.getTime()).toBe(50);
    expect(nextAttempt(3, NOW, fast, mid).retry).toBe(false);
  });
});
