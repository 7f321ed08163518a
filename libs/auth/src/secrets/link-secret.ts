import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets in links (id-vault's upload links, view links and relay grants; claims' resident
 * evidence links): 32 random bytes, base64url, so guessing one is hopeless. The shape is the one
 * `redactSecretSegments` (@portico/observability) takes out of logged and traced paths. Only their SHA-256 is stored: a database dump gives nobody a working
 * link. A plain hash (no pepper) is enough because the input has 256 bits of entropy.
 */
export interface IssuedSecret {
  readonly token: string;
  readonly hash: Buffer;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function issueSecret(): IssuedSecret {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSecret(token) };
}

export function hashSecret(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A token's shape is checked before the database is asked: junk never costs a query. */
export function looksLikeSecret(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}
