import { initialExpiry, renewedExpiry, type SessionLifetime } from './session-lifetime';

const lifetime: SessionLifetime = { idleMinutes: 30, absoluteMinutes: 600 };
const t0 = new Date('2026-12-03T08:00:00Z');
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

describe('session lifetime', () => {
  it('starts with the idle timeout, bounded by the absolute maximum', () => {
    expect(initialExpiry(t0, lifetime)).toEqual({ expiresAt: at(30), maxExpiresAt: at(600) });
    // an idle timeout longer than the maximum never outlasts it
    expect(initialExpiry(t0, { idleMinutes: 120, absoluteMinutes: 60 })).toEqual({ expiresAt: at(60), maxExpiresAt: at(60) });
  });

  it('slides the end on use, at most to the absolute maximum', () => {
    const session = { expiresAt: at(30), maxExpiresAt: at(600) };
    expect(renewedExpiry(session, at(20), lifetime)).toEqual(at(50));
    expect(renewedExpiry({ expiresAt: at(590), maxExpiresAt: at(600) }, at(580), lifetime)).toEqual(at(600));
    expect(renewedExpiry({ expiresAt: at(600), maxExpiresAt: at(600) }, at(595), lifetime)).toBeNull();
  });

  it('does not write for a gain of a minute or less, and leaves sessions from before sliding alone', () => {
    expect(renewedExpiry({ expiresAt: at(30), maxExpiresAt: at(600) }, at(1), lifetime)).toBeNull();
    expect(renewedExpiry({ expiresAt: at(30), maxExpiresAt: at(600) }, at(1.5), lifetime)).toEqual(at(31.5));
    expect(renewedExpiry({ expiresAt: at(30), maxExpiresAt: null }, at(20), lifetime)).toBeNull();
  });
});
