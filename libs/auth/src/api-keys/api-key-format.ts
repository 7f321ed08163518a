import { createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';

/**
 * API keys look like `pk_live_<keyId>_<secret>`:
 * - `pk` says "Portico key" so secret scanners and humans recognise it;
 * - `live` / `test` keeps keys of a demo or test deployment from working in production;
 * - `keyId` (11 random bytes as 16 base62 chars) is public: it is the lookup key in `api_keys` and is shown
 *   in listings and logs;
 * - `secret` is 32 random bytes in base62 (43 chars, 256 bits) and is shown only once.
 * Base62 rather than base64url because `_` and `-` would make the key ambiguous to split and
 * awkward to double-click-select.
 */
export type ApiKeyEnvironment = 'live' | 'test';

export interface ParsedApiKey {
  readonly environment: ApiKeyEnvironment;
  readonly keyId: string;
  readonly secret: string;
}

export type RandomBytes = (size: number) => Uint8Array;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_ID_LENGTH = 16;
export const API_KEY_SECRET_LENGTH = 43;
const KEY_PATTERN = /^pk_(live|test)_([0-9A-Za-z]{16})_([0-9A-Za-z]{43})$/;

/** Fixed-width base62 of a byte string (big-endian), so every key has the same length. */
export function base62(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  if (out.length > width) throw new RangeError(`value needs more than ${width} base62 digits`);
  return out.padStart(width, '0');
}

export function generateApiKey(
  environment: ApiKeyEnvironment,
  random: RandomBytes = nodeRandomBytes,
): ParsedApiKey {
  // 11 bytes fit in 16 base62 digits (62^16 > 2^88), 32 bytes in 43 (62^43 > 2^256).
  return {
    environment,
    keyId: base62(random(11), API_KEY_ID_LENGTH),
    secret: base62(random(32), API_KEY_SECRET_LENGTH),
  };
}

export function formatApiKey(key: ParsedApiKey): string {
  return `pk_${key.environment}_${key.keyId}_${key.secret}`;
}

/** Null for anything that is not exactly a well-formed key; never throws, never echoes input. */
export function parseApiKey(presented: string): ParsedApiKey | null {
  if (typeof presented !== 'string' || presented.length > 100) return null;
  const m = KEY_PATTERN.exec(presented);
  if (!m) return null;
  return { environment: m[1] as ApiKeyEnvironment, keyId: m[2]!, secret: m[3]! };
}

export function looksLikeApiKey(presented: string): boolean {
  return presented.startsWith('pk_');
}

/**
 * HMAC-SHA-256 keyed with a server-side pepper, over key id and secret.
 *
 * Why not bcrypt/scrypt/argon2: those slow down guessing of low-entropy passwords. A 256-bit random
 * secret cannot be guessed at any speed, so a slow hash buys nothing and would cost tens of
 * milliseconds of CPU per request (a denial-of-service lever on a hot path).
 * Why HMAC with a pepper rather than plain SHA-256: the pepper lives in configuration, not in the
 * database, so a leaked table, backup or replica alone cannot even confirm that a key found
 * elsewhere is valid. Binding the key id into the MAC stops a row's hash from being moved to
 * another key id. Each row stores the pepper id, so the pepper can rotate without reissuing keys.
 */
export function hashApiKeySecret(pepper: Uint8Array | string, keyId: string, secret: string): Buffer {
  return createHmac('sha256', pepper).update(`${keyId}.${secret}`, 'utf8').digest();
}
