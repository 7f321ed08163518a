import { grantState } from './relay-grant';

const NOW = new Date('2026-12-01T02:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const grant = (over: Partial<Parameters<typeof grantState>[0]> = {}) => ({
  expiresAt: later(60_000),
  maxUses: 3,
  uses: 0,
  revokedAt: null,
  ...over,
});

describe('grantState', () => {
  it('is usable before expiry with uses left', () => {
    expect(grantState(grant(), NOW)).toBe('usable');
  });

  it('is usable with exactly one use left', () => {
    expect(grantState(grant({ uses: 2 }), NOW)).toBe('usable');
  });

  it('is usable one millisecond before expiry', () => {
    expect(grantState(grant({ expiresAt: later(1) }), NOW)).toBe('usable');
  });

  it('is expired exactly at expiresAt', () => {
    expect(grantState(grant({ expiresAt: NOW }), NOW)).toBe('expired');
  });

  it('is exhausted once uses reach maxUses', () => {
    expect(grantState(grant({ uses: 3 }), NOW)).toBe('exhausted');
    expect(grantState(grant({ uses: 4 }), NOW)).toBe('exhausted');
  });

  it('says expired rather than exhausted when both hold', () => {
    expect(grantState(grant({ uses: 3, expiresAt: NOW }), NOW)).toBe('expired');
  });

  it('says revoked before anything else', () => {
    expect(grantState(grant({ revokedAt: NOW, uses: 3, expiresAt: NOW }), NOW)).toBe('revoked');
    expect(grantState(grant({ revokedAt: later(-1) }), NOW)).toBe('revoked');
  });
});
