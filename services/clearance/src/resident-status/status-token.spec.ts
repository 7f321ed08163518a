import { createHash } from 'node:crypto';
import {
  hashStatusToken,
  linkExpiry,
  linkStanding,
  newStatusToken,
  presentedToken,
  systemTokenSource,
  TOKEN_BYTES,
} from './status-token';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-24T06:00:00Z');
const at = (hoursFromNow: number) => new Date(NOW.getTime() + hoursFromNow * HOUR);

describe('newStatusToken', () => {
  it('encodes 256 random bits as 43 base64url characters and keeps only their SHA-256', () => {
    const bytes = Buffer.alloc(TOKEN_BYTES, 7);
    const { token, hash } = newStatusToken(() => bytes);
    expect(token).toBe(bytes.toString('base64url'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toEqual(createHash('sha256').update(token).digest());
    expect(hashStatusToken(token)).toEqual(hash);
  });

  it('gives a different token every time from the system source', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newStatusToken(systemTokenSource).token));
    expect(tokens.size).toBe(50);
  });

  it('refuses a source that gives too few bytes', () => {
    expect(() => newStatusToken(() => Buffer.alloc(16))).toThrow('32 random bytes');
  });
});

describe('presentedToken', () => {
  const token = Buffer.alloc(32, 1).toString('base64url');

  it('reads a bearer token, whatever the scheme case and spacing', () => {
    expect(presentedToken(`Bearer ${token}`)).toEqual({ kind: 'token', token });
    expect(presentedToken(`bearer   ${token}  `)).toEqual({ kind: 'token', token });
  });

  it('tells a missing header from a malformed one', () => {
    expect(presentedToken(undefined)).toEqual({ kind: 'missing' });
    expect(presentedToken('  ')).toEqual({ kind: 'missing' });
    for (const bad of [
      token,
      `Basic ${token}`,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      `Bearer ${token} extra`,
      'Bearer a+b/c=',
    ]) {
      expect(presentedToken(bad)).toEqual({ kind: 'malformed' });
    }
  });
});

describe('linkExpiry', () => {
  it('defaults to a week after the case deadline', () => {
    expect(linkExpiry({ now: NOW, caseDeadline: at(72) })).toEqual(at(72 + 7 * 24));
  });

  it('never lasts more than 30 days, nor less than a day', () => {
    expect(linkExpiry({ now: NOW, caseDeadline: at(40 * 24) })).toEqual(at(30 * 24));
    expect(linkExpiry({ now: NOW, caseDeadline: at(-30 * 24) })).toEqual(at(24));
  });

  it('takes a requested lifetime, capped at 30 days', () => {
    expect(linkExpiry({ now: NOW, caseDeadline: at(72), requestedHours: 2 })).toEqual(at(2));
    expect(linkExpiry({ now: NOW, caseDeadline: at(72), requestedHours: 10_000 })).toEqual(at(30 * 24));
  });
});

describe('linkStanding', () => {
  it('is valid until the expiry instant, revoked whenever revoked', () => {
    expect(linkStanding({ expiresAt: at(1), revokedAt: null }, NOW)).toBe('valid');
    expect(linkStanding({ expiresAt: NOW, revokedAt: null }, NOW)).toBe('expired');
    expect(linkStanding({ expiresAt: at(1), revokedAt: at(-1) }, NOW)).toBe('revoked');
    expect(linkStanding({ expiresAt: at(-2), revokedAt: at(-3) }, NOW)).toBe('revoked');
  });
});
