import { linkExpiry, linkState } from './upload-request';

const NOW = new Date('2026-12-01T02:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

describe('linkExpiry', () => {
  it('is now + ttl when there is no deadline', () => {
    expect(linkExpiry(NOW, 72 * 60, null)).toEqual(minutes(72 * 60));
  });

  it('is now + ttl when the deadline is later', () => {
    expect(linkExpiry(NOW, 60, minutes(61))).toEqual(minutes(60));
  });

  it('is the deadline when it comes before the ttl runs out', () => {
    expect(linkExpiry(NOW, 60, minutes(59))).toEqual(minutes(59));
  });

  it('is the ttl when deadline and ttl coincide (either is right, the value is the same)', () => {
    expect(linkExpiry(NOW, 60, minutes(60)).getTime()).toBe(minutes(60).getTime());
  });
});

describe('linkState', () => {
  const expiresAt = minutes(60);

  it('is usable just before expiry', () => {
    expect(linkState({ status: 'open', expiresAt }, new Date(expiresAt.getTime() - 1))).toBe('usable');
  });

  it('is expired exactly at expiresAt', () => {
    expect(linkState({ status: 'open', expiresAt }, expiresAt)).toBe('expired');
  });

  it('is expired after expiresAt', () => {
    expect(linkState({ status: 'open', expiresAt }, minutes(61))).toBe('expired');
  });

  it.each([
    ['revoked', 'revoked'],
    ['superseded', 'superseded'],
    ['submitted', 'used'],
  ] as const)('a %s link is %s whatever the time', (status, state) => {
    expect(linkState({ status, expiresAt }, NOW)).toBe(state);
    expect(linkState({ status, expiresAt }, minutes(120))).toBe(state);
  });
});
