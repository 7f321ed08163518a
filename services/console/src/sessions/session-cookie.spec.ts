import { cookieIsSecure, sessionCookieName, sessionCookieOptions } from './session-cookie';
import { csrfTokenMatches, newSecret, secretHash } from './session-token';

describe('session cookie', () => {
  it('is Secure everywhere but plain-http loopback in auto mode, and always in "always" mode', () => {
    expect(cookieIsSecure('auto', { protocol: 'http', host: '127.0.0.1:3006' })).toBe(false);
    expect(cookieIsSecure('auto', { protocol: 'http', host: 'localhost' })).toBe(false);
    expect(cookieIsSecure('auto', { protocol: 'http', host: '[::1]:3006' })).toBe(false);
    expect(cookieIsSecure('auto', { protocol: 'http', host: 'console.example.com' })).toBe(true);
    expect(cookieIsSecure('auto', { protocol: 'https', host: '127.0.0.1' })).toBe(true);
    expect(cookieIsSecure('always', { protocol: 'http', host: '127.0.0.1' })).toBe(true);
  });

  it('uses the __Host- prefix when Secure and is HttpOnly, SameSite=Lax, Path=/', () => {
    expect(sessionCookieName(true)).toBe('__Host-portico_session');
    expect(sessionCookieName(false)).toBe('portico_session');
    expect(sessionCookieOptions(true, 60)).toEqual({ httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 60 });
  });
});

describe('session secrets', () => {
  it('are 256-bit, distinct and stored only as a hash', () => {
    const a = newSecret();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
    expect(secretHash(a)).toHaveLength(32);
    expect(secretHash(a).toString('utf8')).not.toContain(a);
  });

  it('match the CSRF token exactly, and never when missing or of another length', () => {
    const token = newSecret();
    expect(csrfTokenMatches(token, token)).toBe(true);
    expect(csrfTokenMatches(token, undefined)).toBe(false);
    expect(csrfTokenMatches(token, '')).toBe(false);
    expect(csrfTokenMatches(token, token.slice(1))).toBe(false);
    expect(csrfTokenMatches(token, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
  });
});
