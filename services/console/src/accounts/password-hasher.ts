import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id through @node-rs/argon2 (prebuilt, maintained) with its defaults (OWASP's m=19 MiB, t=2,
 * p=1). The encoded hash carries its parameters, so raising them later still verifies old hashes.
 */
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    try {
      return await verify(encoded, password);
    } catch {
      return false; // a malformed stored hash is a failed login, not a 500
    }
  }
}

/**
 * A hash of a random password, verified against when the username is unknown, so that an unknown
 * user costs the same time as a wrong password (no user enumeration by timing).
 */
export const DUMMY_HASH_PASSWORD = 'portico-console-no-such-user';
