import { createHash, randomBytes } from 'node:crypto';

/**
 * Status-link tokens: 256 random bits, base64url (43 characters), handed out once. Only their
 * SHA-256 is stored and looked up. A plain hash is enough, unlike for passwords: the input is
 * random and too long to guess, so a slow or peppered hash would add cost without protection.
 * Looking the hash up through a unique index means no application code ever compares a presented
 * secret with a stored one, so there is no early-exit comparison to time.
 */

export const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Where token bytes come from; injected so specs can pin tokens. */
export type TokenSource = () => Buffer;
export const systemTokenSource: TokenSource = () => randomBytes(TOKEN_BYTES);

export function newStatusToken(source: TokenSource): { token: string; hash: Buffer } {
  const bytes = source();
  if (bytes.length !== TOKEN_BYTES) throw new Error(`a status token needs ${TOKEN_BYTES} random bytes`);
  const token = bytes.toString('base64url');
  return { token, hash: hashStatusToken(token) };
}

export function hashStatusToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export type PresentedToken =
  | { readonly kind: 'missing' }
  /** Not the shape of any token ever issued: answered as invalid without a lookup. */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly token: string };

/** The token from `Authorization: Bearer <token>`. */
export function presentedToken(authorization: string | undefined): PresentedToken {
  const value = authorization?.trim();
  if (!value) return { kind: 'missing' };
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (!match) return { kind: 'malformed' };
  const token = match[1]!;
  return TOKEN_PATTERN.test(token) ? { kind: 'token', token } : { kind: 'malformed' };
}

const HOUR_MS = 3_600_000;
/** The longest a link may live, whatever is asked: a forwarded or leaked link stops working. */
export const MAX_LINK_HOURS = 30 * 24;
/** A link outlives the case's deadline by a week, so the resident can still see how it ended. */
export const HOURS_AFTER_DEADLINE = 7 * 24;
/** ... but is never issued for less than a day (a link for a long-expired case would be dead on arrival). */
export const MIN_LINK_HOURS = 24;

/**
 * When a new link expires: `now + requestedHours` when the caller asks (bounded by the request
 * schema), else the case deadline plus a week, kept between one and thirty days from now.
 */
export function linkExpiry(input: { now: Date; caseDeadline: Date; requestedHours?: number }): Date {
  const now = input.now.getTime();
  const max = now + MAX_LINK_HOURS * HOUR_MS;
  if (input.requestedHours !== undefined)
    return new Date(Math.min(now + input.requestedHours * HOUR_MS, max));
  const wanted = input.caseDeadline.getTime() + HOURS_AFTER_DEADLINE * HOUR_MS;
  return new Date(Math.min(Math.max(wanted, now + MIN_LINK_HOURS * HOUR_MS), max));
}

export type LinkStanding = 'valid' | 'expired' | 'revoked';

/** Revocation wins over expiry: the answer a resident gets should say a person ended the link. */
export function linkStanding(link: { expiresAt: Date; revokedAt: Date | null }, now: Date): LinkStanding {
  if (link.revokedAt !== null) return 'revoked';
  return link.expiresAt.getTime() <= now.getTime() ? 'expired' : 'valid';
}
