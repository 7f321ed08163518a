import {
  afterAttempt,
  CLOSED,
  unchangedBySuccess,
  type BreakerPolicy,
  type BreakerState,
} from './circuit-breaker';

const policy: BreakerPolicy = { failureThreshold: 3, coolDownMs: 60_000, autoDisableAfterMs: 5 * 86_400_000 };
const t0 = new Date('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function fail(state: BreakerState, times: number, startMs = 0, stepMs = 1_000): BreakerState {
  let s = state;
  for (let i = 0; i < times; i++) s = afterAttempt(s, false, at(startMs + i * stepMs), policy).next;
  return s;
}

describe('webhook circuit breaker', () => {
  it('stays closed below the threshold and opens on the threshold-th consecutive failure', () => {
    const two = fail(CLOSED, 2);
    expect(two).toMatchObject({ state: 'closed', consecutiveFailures: 2, failingSince: t0 });
    const third = afterAttempt(two, false, at(2_000), policy);
    expect(third.transition).toBe('open');
    expect(third.next).toEqual({
      state: 'open',
      consecutiveFailures: 3,
      openUntil: at(62_000),
      failingSince: t0,
    });
  });

  it('a success resets the count and closes', () => {
    const s = afterAttempt(fail(CLOSED, 2), true, at(5_000), policy);
    expect(s.next).toEqual(CLOSED);
    expect(s.transition).toBeUndefined();
    const fromOpen = afterAttempt(fail(CLOSED, 3), true, at(70_000), policy);
    expect(fromOpen).toMatchObject({ next: CLOSED, transition: 'closed' });
  });

  it('a failed half-open probe opens the circuit for another cool-down', () => {
    const halfOpen: BreakerState = { ...fail(CLOSED, 3), state: 'half_open' };
    const probe = afterAttempt(halfOpen, false, at(100_000), policy);
    expect(probe.transition).toBe('open');
    expect(probe.next.openUntil).toEqual(at(160_000));
    expect(probe.next.failingSince).toEqual(t0);
  });

  it('disables only once every attempt has failed for the whole window', () => {
    const failing = fail(CLOSED, 3);
    expect(afterAttempt(failing, false, at(5 * 86_400_000 - 1), policy).disable).toBe(false);
    expect(afterAttempt(failing, false, at(5 * 86_400_000), policy).disable).toBe(true);
    // one success in between starts the window again
    const recovered = afterAttempt(failing, true, at(86_400_000), policy).next;
    expect(afterAttempt(recovered, false, at(5 * 86_400_000), policy).disable).toBe(false);
  });

  it('knows when successes leave a breaker as it is (the worker then skips its row)', () => {
    expect(unchangedBySuccess(CLOSED)).toBe(true);
    // and that is exactly when a success changes nothing
    expect(afterAttempt(CLOSED, true, at(0), policy).next).toEqual(CLOSED);
    const failing = fail(CLOSED, 1);
    expect(unchangedBySuccess(failing)).toBe(false);
    expect(afterAttempt(failing, true, at(5_000), policy).next).not.toEqual(failing);
    const open = fail(CLOSED, 3);
    expect(unchangedBySuccess(open)).toBe(false);
    expect(unchangedBySuccess({ ...open, state: 'half_open' })).toBe(false);
  });
});
