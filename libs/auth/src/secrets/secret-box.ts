import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One AES-256 key of a keyring, and the id stored beside every secret it sealed. */
export interface SecretsKey {
  readonly id: string;
  readonly key: Buffer;
}

/** A secret as stored: AES-256-GCM output and the id of the key that sealed it. */
export interface SealedSecret {
  readonly keyId: string;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly authTag: Buffer;
}

/** A sealed secret that cannot be opened: its key is no longer configured, or it was tampered with. */
export class SecretUnreadableError extends Error {
  constructor(
    readonly keyId: string,
    reason: 'unknown_key' | 'authentication_failed',
  ) {
    super(`sealed secret cannot be opened (key ${keyId}: ${reason})`);
    this.name = 'SecretUnreadableError';
  }
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets a service must be able to read back (webhook signing secrets: carriers' inbound ones
 * in carrier-ingestion, subscribers' outbound ones in notification) at rest with AES-256-GCM under a
 * configured keyring. A database dump alone cannot forge webhooks. The caller's associated data names
 * the row (e.g. account and version), so a sealed secret copied onto another row does not open. New
 * secrets use the first (newest) key; any configured key opens what it sealed.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: { id: string; key: Buffer };

  constructor(keys: readonly SecretsKey[]) {
    const [current] = keys;
    if (!current) throw new Error('SecretBox needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`key ${k.id} is not 32 bytes`);
    this.current = current;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.current.id, nonce, ciphertext, authTag: cipher.getAuthTag() };
  }

  open(sealed: SealedSecret, associatedData: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new SecretUnreadableError(sealed.keyId, 'unknown_key');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(sealed.authTag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(sealed.keyId, 'authentication_failed');
    }
  }
}

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
