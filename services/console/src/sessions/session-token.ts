import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: the cookie value and the CSRF token. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps instead of the cookie value. */
export function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfTokenMatches(expected: string, presented: string | undefined): boolean {
  return secretsMatch(expected, presented);
}

/** Constant-time comparison of a secret with what a request presented (CSRF token, OIDC state). */
export function secretsMatch(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
