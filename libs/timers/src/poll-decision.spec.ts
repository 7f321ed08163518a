import { nextPollDelayMs } from './poll-decision';

const settings = { batchSize: 100, intervalMs: 250, maxErrorBackoffMs: 4_000 };

describe('nextPollDelayMs', () => {
  it('polls again at once after a full batch: more are probably due', () => {
    expect(nextPollDelayMs({ kind: 'claimed', count: 100 }, settings)).toBe(0);
  });

  it('waits the interval after a partial or empty batch', () => {
    expect(nextPollDelayMs({ kind: 'claimed', count: 99 }, settings)).toBe(250);
    expect(nextPollDelayMs({ kind: 'claimed', count: 0 }, settings)).toBe(250);
  });

  it('backs off exponentially from the interval while polling fails, up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 50].map((n) =>
      nextPollDelayMs({ kind: 'failed', consecutiveFailures: n }, settings),
    );
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 4_000, 4_000]);
  });
});
