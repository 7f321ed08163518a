import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { dataKeyAad, type DocumentVersionRef } from './associated-data';
import { DocumentIntegrityError, EncryptionKeyUnavailableError } from './vault-errors';

/** A data key wrapped by a KEK. `bytes` are opaque to everyone but the keyring that made them. */
export interface WrappedKey {
  readonly kekId: string;
  readonly bytes: Buffer;
}

/**
 * The key-encryption keys (KEKs) protecting per-document data keys. The vault only ever wraps and
 * unwraps through this interface, so a KMS-backed implementation (AWS KMS Encrypt/Decrypt with an
 * encryption context, Vault transit...) can replace the configured keyring. Hence the Promises:
 * a KMS is a network call, the local keyring just resolves at once.
 */
export interface KeyEncryptionKeys {
  /** The KEK new data keys are wrapped under (and old ones are rewrapped to). */
  readonly activeKeyId: string;
  /** Whether a key wrapped under `kekId` can be unwrapped here (rewrap skips those it cannot). */
  has(kekId: string): boolean;
  /** Wraps under the active KEK, bound to the document version (`context`). */
  wrap(dataKey: Buffer, context: DocumentVersionRef): Promise<WrappedKey>;
  /**
   * The data key, or EncryptionKeyUnavailableError (KEK not here) / DocumentIntegrityError
   * (tampered, or wrapped for another document version). The caller owns and wipes the buffer.
   */
  unwrap(wrapped: WrappedKey, context: DocumentVersionRef): Promise<Buffer>;
}

/** Thrown when VAULT_KEKS is malformed. Messages name ids and positions, never key material. */
export class KeyringConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid key-encryption keyring: ${problems.join('; ')}`);
    this.name = 'KeyringConfigurationError';
  }
}

export const KEK_BYTES = 32;
const KEK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// Wrapped key layout: format byte, 96-bit nonce, 128-bit tag, then the encrypted 32-byte data key.
const WRAP_FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = 1 + NONCE_BYTES + TAG_BYTES + KEK_BYTES;

export interface KekEntry {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * Parses `id=<base64 of 32 bytes>,id=...`, newest (active) first. Every problem is collected, so
 * an operator fixes the setting in one go; none of them quotes what was after the `=`.
 */
export function parseKeyringSpec(spec: string): KekEntry[] {
  const problems: string[] = [];
  const entries: KekEntry[] = [];
  const seen = new Set<string>();
  const items = (spec ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (items.length === 0)
    problems.push('no keys: expected id=<base64 of 32 bytes>, comma-separated, active first');
  items.forEach((item, index) => {
    const where = `entry ${index + 1}`;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problems.push(`${where} is not id=<base64 key>`);
      return;
    }
    const id = item.slice(0, eq).trim();
    const encoded = item.slice(eq + 1).trim();
    if (!KEK_ID.test(id)) {
      problems.push(`${where} has an invalid id (letters, digits, ".", "_", "-"; at most 64)`);
      return;
    }
    if (seen.has(id)) {
      problems.push(`key id "${id}" appears more than once`);
      return;
    }
    seen.add(id);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    // Round-trip check: Buffer.from silently skips junk, so only canonical base64 is accepted.
    if (!key || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
      key?.fill(0);
      problems.push(`key "${id}" is not valid base64`);
      return;
    }
    if (key.length !== KEK_BYTES) {
      problems.push(`key "${id}" must be exactly ${KEK_BYTES} bytes, got ${key.length}`);
      key.fill(0);
      return;
    }
    const twin = entries.find((e) => e.key.length === key.length && timingSafeEqual(e.key, key));
    if (twin) {
      problems.push(`keys "${twin.id}" and "${id}" are the same key`);
      key.fill(0);
      return;
    }
    entries.push({ id, key });
  });
  if (problems.length > 0) {
    for (const e of entries) e.key.fill(0);
    throw new KeyringConfigurationError(problems);
  }
  return entries;
}

/**
 * KEKs from configuration (`VAULT_KEKS`), AES-256-GCM key wrapping. The first key is active;
 * the others only unwrap, until `rewrap-keys` has moved every data key off them and they can be
 * removed from the setting.
 *
 * Nonces are random 96-bit values: GCM's native nonce size, and with random nonces the chance of a
 * repeat under one KEK stays below 2^-32 up to 2^32 wraps (NIST SP 800-38D's bound). A KEK wraps
 * one key per document version plus rewraps, orders of magnitude fewer, and KEKs rotate anyway.
 * A counter would need state shared by every replica; randomness needs none.
 */
export class ConfiguredKeyring implements KeyEncryptionKeys {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKeyId: string;

  constructor(entries: readonly KekEntry[]) {
    if (entries.length === 0) throw new KeyringConfigurationError(['no keys']);
    const keys = new Map<string, Buffer>();
    for (const { id, key } of entries) {
      if (!KEK_ID.test(id)) throw new KeyringConfigurationError(['a key has an invalid id']);
      if (keys.has(id)) throw new KeyringConfigurationError([`key id "${id}" appears more than once`]);
      if (key.length !== KEK_BYTES) {
        throw new KeyringConfigurationError([
          `key "${id}" must be exactly ${KEK_BYTES} bytes, got ${key.length}`,
        ]);
      }
      keys.set(id, Buffer.from(key)); // own copy: the caller may wipe theirs
    }
    this.keys = keys;
    this.activeKeyId = entries[0].id;
  }

  static fromSpec(spec: string): ConfiguredKeyring {
    const entries = parseKeyringSpec(spec);
    try {
      return new ConfiguredKeyring(entries);
    } finally {
      for (const e of entries) e.key.fill(0);
    }
  }

  get keyIds(): readonly string[] {
    return [...this.keys.keys()];
  }

  has(kekId: string): boolean {
    return this.keys.has(kekId);
  }

  // The keyring sits in the loaded configuration: logging or printing it must show ids, never keys.
  toJSON(): { activeKeyId: string; keyIds: readonly string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `ConfiguredKeyring(${this.keyIds.join(', ')}; active ${this.activeKeyId})`;
  }

  async wrap(dataKey: Buffer, context: DocumentVersionRef): Promise<WrappedKey> {
    if (dataKey.length !== KEK_BYTES) throw new TypeError(`a data key must be ${KEK_BYTES} bytes`);
    const kekId = this.activeKeyId;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(kekId)!, nonce);
    cipher.setAAD(dataKeyAad(kekId, context));
    const encrypted = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    const bytes = Buffer.concat([Buffer.of(WRAP_FORMAT), nonce, cipher.getAuthTag(), encrypted]);
    return { kekId, bytes };
  }

  async unwrap(wrapped: WrappedKey, context: DocumentVersionRef): Promise<Buffer> {
    const kek = this.keys.get(wrapped.kekId);
    if (!kek) throw new EncryptionKeyUnavailableError(wrapped.kekId, context.documentId, context.version);
    const { bytes } = wrapped;
    if (bytes.length !== WRAPPED_BYTES || bytes[0] !== WRAP_FORMAT) {
      throw new DocumentIntegrityError('malformed_envelope', context.documentId, context.version);
    }
    const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
    const tag = bytes.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const encrypted = bytes.subarray(1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', kek, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(dataKeyAad(wrapped.kekId, context));
    decipher.setAuthTag(tag);
    const head = decipher.update(encrypted);
    try {
      const tail = decipher.final();
      const key = Buffer.concat([head, tail]);
      tail.fill(0);
      return key;
    } catch {
      throw new DocumentIntegrityError('wrapped_key_rejected', context.documentId, context.version);
    } finally {
      head.fill(0);
    }
  }
}
