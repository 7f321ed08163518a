import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A data key wrapped (encrypted) under a key-encryption key, as stored in document_keys. */
export interface WrappedKey {
  readonly kekId: string;
  /** nonce (12) || tag (16) || ciphertext (32). */
  readonly bytes: Buffer;
}

/**
 * Key-encryption keys by version. The interface is what a KMS offers (wrap/unwrap under a named key,
 * never handing the key out), so a KMS-backed implementation replaces the configured one without
 * touching callers.
 */
export abstract class KeyEncryptionKeys {
  abstract readonly activeKeyId: string;
  abstract wrap(dataKey: Buffer, context: string): WrappedKey;
  abstract unwrap(wrapped: WrappedKey, context: string): Buffer;
  abstract has(kekId: string): boolean;
}

export class KeyUnavailableError extends Error {
  constructor(readonly kekId: string) {
    super(`key-encryption key ${kekId} is not configured (VAULT_KEKS); rewrap before removing a key`);
    this.name = 'KeyUnavailableError';
  }
}

export class UnwrapFailedError extends Error {
  constructor(readonly kekId: string) {
    super(`a data key failed authentication under key-encryption key ${kekId}`);
    this.name = 'UnwrapFailedError';
  }
}

const NONCE = 12;
const TAG = 16;

/**
 * KEKs from configuration (`VAULT_KEKS="k2=<base64 32 bytes>,k1=<…>"`, first = active). Wrapping is
 * AES-256-GCM with a random 96-bit nonce; the associated data binds the KEK id and the caller's
 * context (document id and version), so a wrapped key copied onto another document does not open.
 */
export class ConfiguredKeyring extends KeyEncryptionKeys {
  readonly activeKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(entries: ReadonlyArray<{ readonly id: string; readonly key: Buffer }>) {
    super();
    if (entries.length === 0) throw new Error('at least one key-encryption key is required');
    const keys = new Map<string, Buffer>();
    for (const e of entries) {
      if (e.key.length !== 32) throw new Error(`key-encryption key ${e.id} must be 32 bytes`);
      if (keys.has(e.id)) throw new Error(`key-encryption key ${e.id} is listed twice`);
      keys.set(e.id, e.key);
    }
    this.keys = keys;
    this.activeKeyId = entries[0]!.id;
  }

  has(kekId: string): boolean {
    return this.keys.has(kekId);
  }

  wrap(dataKey: Buffer, context: string): WrappedKey {
    const kek = this.keys.get(this.activeKeyId)!;
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce);
    cipher.setAAD(aad(this.activeKeyId, context));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { kekId: this.activeKeyId, bytes: Buffer.concat([nonce, cipher.getAuthTag(), ct]) };
  }

  unwrap(wrapped: WrappedKey, context: string): Buffer {
    const kek = this.keys.get(wrapped.kekId);
    if (!kek) throw new KeyUnavailableError(wrapped.kekId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.bytes.subarray(0, NONCE));
      decipher.setAAD(aad(wrapped.kekId, context));
      decipher.setAuthTag(wrapped.bytes.subarray(NONCE, NONCE + TAG));
      return Buffer.concat([decipher.update(wrapped.bytes.subarray(NONCE + TAG)), decipher.final()]);
    } catch {
      throw new UnwrapFailedError(wrapped.kekId);
    }
  }
}

function aad(kekId: string, context: string): Buffer {
  return Buffer.from(`portico.vault.kek.v1|${kekId}|${context}`, 'utf8');
}

/** Parses VAULT_KEKS; messages name entries, never key material. */
export function parseKeyring(raw: string): Array<{ id: string; key: Buffer }> {
  return raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      const id = eq > 0 ? entry.slice(0, eq).trim() : '';
      if (!/^[a-z0-9-]{1,32}$/i.test(id))
        throw new Error('each entry must be id=<base64 key> with a simple id');
      const key = Buffer.from(entry.slice(eq + 1).trim(), 'base64');
      if (key.length !== 32) throw new Error(`key ${id} must decode to exactly 32 bytes`);
      return { id, key };
    });
}
