import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  contentAad,
  contentRef,
  versionRef,
  type ContentRef,
  type DocumentVersionRef,
} from './associated-data';
import type { KeyEncryptionKeys, WrappedKey } from './key-encryption-keys';
import { DocumentIntegrityError } from './vault-errors';

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Stored content layout: format byte, 96-bit IV, 128-bit tag, ciphertext.
const CONTENT_FORMAT = 1;
const CONTENT_HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** One encrypted side of a document version, without its key. */
export interface SealedContent {
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** Everything needed to read one side back, given the KEK: the wrapped data key and the content. */
export interface SealedRecord extends SealedContent {
  readonly kekId: string;
  readonly wrappedKey: Buffer;
}

/**
 * The plaintext data key of one document version, held only as long as needed. Every version gets
 * a fresh random 256-bit key that encrypts just that version's few sides, each under its own
 * random 96-bit IV: with a handful of messages per key, a repeated (key, IV) pair, GCM's one fatal
 * misuse, is as likely as guessing the key. No counter, no shared state between replicas.
 */
export class DataKey {
  private destroyed = false;

  /** @internal: made by DocumentCipher, which pairs it with its wrapped form. */
  constructor(
    readonly ref: DocumentVersionRef,
    private readonly bytes: Buffer,
  ) {}

  encrypt(side: string, plaintext: Buffer): SealedContent {
    const ref = this.contentRef(side);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(contentAad(ref));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv, tag: cipher.getAuthTag(), ciphertext };
  }

  /** The plaintext, or DocumentIntegrityError when anything (bytes, tag, IV, AAD field) differs. */
  decrypt(side: string, sealed: SealedContent): Buffer {
    const ref = this.contentRef(side);
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
      throw new DocumentIntegrityError('malformed_envelope', ref.documentId, ref.version, ref.side);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key(), sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(contentAad(ref));
    decipher.setAuthTag(sealed.tag);
    const head = decipher.update(sealed.ciphertext);
    try {
      return Buffer.concat([head, decipher.final()]);
    } catch {
      throw new DocumentIntegrityError('content_rejected', ref.documentId, ref.version, ref.side);
    } finally {
      // Unauthenticated until final() succeeded; the concatenated copy is what the caller gets.
      head.fill(0);
    }
  }

  /** Overwrites the key bytes. Node's ciphers keep their own copies only while they live. */
  destroy(): void {
    this.bytes.fill(0);
    this.destroyed = true;
  }

  toJSON(): DocumentVersionRef {
    return this.ref;
  }

  [inspect.custom](): string {
    return `DataKey(${this.ref.documentId} v${this.ref.version})`;
  }

  private key(): Buffer {
    if (this.destroyed) throw new Error('data key used after destroy()');
    return this.bytes;
  }

  private contentRef(side: string): ContentRef {
    return contentRef(this.ref.documentId, this.ref.version, side);
  }
}

/**
 * Envelope encryption of document content: content under a per-version data key, the data key
 * wrapped by a KEK. Rotation rewraps the small data keys and never touches the content; shredding
 * destroys the wrapped key and with it every copy of the content, backups included.
 */
export class DocumentCipher {
  constructor(private readonly keys: KeyEncryptionKeys) {}

  get activeKeyId(): string {
    return this.keys.activeKeyId;
  }

  /** A fresh random data key for a new document version, and its wrapped form to store. */
  async createDataKey(ref: DocumentVersionRef): Promise<{ dataKey: DataKey; wrapped: WrappedKey }> {
    ref = versionRef(ref.documentId, ref.version);
    const bytes = randomBytes(DATA_KEY_BYTES);
    try {
      const wrapped = await this.keys.wrap(bytes, ref);
      return { dataKey: new DataKey(ref, bytes), wrapped };
    } catch (e) {
      bytes.fill(0);
      throw e;
    }
  }

  /** The data key of a stored version (errors: EncryptionKeyUnavailableError, DocumentIntegrityError). */
  async openDataKey(ref: DocumentVersionRef, wrapped: WrappedKey): Promise<DataKey> {
    ref = versionRef(ref.documentId, ref.version);
    const bytes = await this.keys.unwrap(wrapped, ref);
    if (bytes.length !== DATA_KEY_BYTES) {
      bytes.fill(0);
      throw new DocumentIntegrityError('wrapped_key_rejected', ref.documentId, ref.version);
    }
    return new DataKey(ref, bytes);
  }

  /** Runs `use` with the data key and wipes the key afterwards, whatever happens. */
  async withDataKey<T>(
    ref: DocumentVersionRef,
    wrapped: WrappedKey,
    use: (key: DataKey) => T | Promise<T>,
  ): Promise<T> {
    const key = await this.openDataKey(ref, wrapped);
    try {
      return await use(key);
    } finally {
      key.destroy();
    }
  }

  /** The same data key wrapped under the active KEK; the plaintext key is wiped before returning. */
  async rewrap(ref: DocumentVersionRef, wrapped: WrappedKey): Promise<WrappedKey> {
    ref = versionRef(ref.documentId, ref.version);
    const bytes = await this.keys.unwrap(wrapped, ref);
    try {
      return await this.keys.wrap(bytes, ref);
    } finally {
      bytes.fill(0);
    }
  }

  /** Seals one side with a data key of its own (a version with a single side). */
  async seal(ref: ContentRef, plaintext: Buffer): Promise<SealedRecord> {
    const { dataKey, wrapped } = await this.createDataKey(ref);
    try {
      return { kekId: wrapped.kekId, wrappedKey: wrapped.bytes, ...dataKey.encrypt(ref.side, plaintext) };
    } finally {
      dataKey.destroy();
    }
  }

  async open(ref: ContentRef, record: SealedRecord): Promise<Buffer> {
    return this.withDataKey(ref, { kekId: record.kekId, bytes: record.wrappedKey }, (key) =>
      key.decrypt(ref.side, record),
    );
  }
}

/** The bytes a blob store holds for one side: self-describing, so the format can evolve. */
export function encodeSealedContent(content: SealedContent): Buffer {
  return Buffer.concat([Buffer.of(CONTENT_FORMAT), content.iv, content.tag, content.ciphertext]);
}

export function decodeSealedContent(bytes: Buffer, ref: ContentRef): SealedContent {
  if (bytes.length < CONTENT_HEADER_BYTES || bytes[0] !== CONTENT_FORMAT) {
    throw new DocumentIntegrityError('malformed_envelope', ref.documentId, ref.version, ref.side);
  }
  return {
    iv: bytes.subarray(1, 1 + IV_BYTES),
    tag: bytes.subarray(1 + IV_BYTES, CONTENT_HEADER_BYTES),
    ciphertext: bytes.subarray(CONTENT_HEADER_BYTES),
  };
}
