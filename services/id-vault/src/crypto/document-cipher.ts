import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyEncryptionKeys, WrappedKey } from './key-encryption-keys';

/** One sealed part: everything but the data key, which lives (wrapped) in document_keys. */
export interface SealedPart {
  /** nonce (12) || tag (16) || ciphertext. */
  readonly bytes: Buffer;
}

export class PartTamperedError extends Error {
  constructor(
    readonly documentId: string,
    readonly part: string,
  ) {
    super(`sealed part ${part} of document ${documentId} failed authentication`);
    this.name = 'PartTamperedError';
  }
}

const NONCE = 12;
const TAG = 16;

/** What a data key is bound to: a wrapped key moved to another document or version will not unwrap. */
export function keyContext(documentId: string, version: number): string {
  return `doc=${documentId}|v=${version}`;
}

/** What a part's ciphertext is bound to: swapping parts (front for back) or documents fails. */
function partAad(documentId: string, version: number, part: string, kekId: string): Buffer {
  return Buffer.from(
    `portico.vault.part.v1|doc=${documentId}|v=${version}|part=${part}|kek=${kekId}`,
    'utf8',
  );
}

/**
 * Envelope encryption of document parts: a fresh random 256-bit data key per document version
 * (so GCM's random 96-bit nonces are drawn a handful of times per key, far from any collision
 * bound), AES-256-GCM per part, the data key wrapped by the active KEK.
 */
export class DocumentCipher {
  constructor(private readonly keks: KeyEncryptionKeys) {}

  newDataKey(documentId: string, version: number): { dataKey: Buffer; wrapped: WrappedKey } {
    const dataKey = randomBytes(32);
    return { dataKey, wrapped: this.keks.wrap(dataKey, keyContext(documentId, version)) };
  }

  unwrap(documentId: string, version: number, wrapped: WrappedKey): Buffer {
    return this.keks.unwrap(wrapped, keyContext(documentId, version));
  }

  seal(
    dataKey: Buffer,
    ref: { documentId: string; version: number; part: string; kekId: string },
    plaintext: Buffer,
  ): SealedPart {
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', dataKey, nonce);
    cipher.setAAD(partAad(ref.documentId, ref.version, ref.part, ref.kekId));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { bytes: Buffer.concat([nonce, cipher.getAuthTag(), ct]) };
  }

  open(
    dataKey: Buffer,
    ref: { documentId: string; version: number; part: string; kekId: string },
    sealed: SealedPart,
  ): Buffer {
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, sealed.bytes.subarray(0, NONCE));
      decipher.setAAD(partAad(ref.documentId, ref.version, ref.part, ref.kekId));
      decipher.setAuthTag(sealed.bytes.subarray(NONCE, NONCE + TAG));
      return Buffer.concat([decipher.update(sealed.bytes.subarray(NONCE + TAG)), decipher.final()]);
    } catch {
      throw new PartTamperedError(ref.documentId, ref.part);
    }
  }
}
