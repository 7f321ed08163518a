import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretsKey } from '../config';

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
 * Seals carrier webhook secrets at rest with AES-256-GCM under CARRIER_SECRETS_KEY. A database dump
 * alone cannot forge webhooks. The associated data names the row (account and version), so a sealed
 * secret copied onto another account does not open. New secrets use the first (newest) key; any
 * configured key opens what it sealed.
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

/** What a sealed secret is bound to: changing either (moving the row) makes it unreadable. */
export function secretAssociatedData(accountId: string, version: number): string {
  return `portico:carrier-account-secret:v1:${accountId}:${version}`;
}

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** `ca_` + 128 random bits: the id is in the webhook URL, so it must not be guessable or enumerable. */
export function newCarrierAccountId(): string {
  return `ca_${randomBytes(16).toString('hex')}`;
}

export const CARRIER_ACCOUNT_ID = /^ca_[0-9a-f]{32}$/;
