import { ConflictError, DomainError, NotFoundError } from '@portico/service-kit';

// Every error here carries ids and reasons only: never key material, plaintext or anything read
// from a document. The global filter shows `details` to the client, so details hold ids alone;
// facts meant for operators (kek id, reason) are plain properties that only reach the logs.

/** The document was crypto-shredded: its data keys are gone, so its content can never be read again. */
export class DocumentShreddedError extends DomainError {
  constructor(
    readonly documentId: string,
    readonly version?: number,
  ) {
    super({
      code: 'document_shredded',
      status: 410,
      message: {
        en: 'This document has been permanently deleted.',
        zh: '该证件已被永久删除。',
      },
      details: version === undefined ? { documentId } : { documentId, version },
    });
  }
}

/** No such document version or side in the vault. */
export class DocumentNotFoundError extends NotFoundError {
  constructor(
    readonly documentId: string,
    readonly version: number,
    readonly side?: string,
  ) {
    super(
      'document_not_found',
      { en: 'The document was not found.', zh: '未找到该证件。' },
      side === undefined ? { documentId, version } : { documentId, version, side },
    );
  }
}

/** A side of a document version is written once; a new upload is a new version (with a new data key). */
export class DocumentSideExistsError extends ConflictError {
  constructor(
    readonly documentId: string,
    readonly version: number,
    readonly side: string,
  ) {
    super(
      'document_side_exists',
      {
        en: 'This part of the document has already been stored.',
        zh: '该证件的这一部分已存储。',
      },
      { documentId, version, side },
    );
  }
}

/**
 * The key-encryption key a data key is wrapped under is not in this process's keyring (retired too
 * early, or a misconfigured replica). Server-side, so 500; the kek id is for the logs only.
 */
export class EncryptionKeyUnavailableError extends DomainError {
  constructor(
    readonly kekId: string,
    readonly documentId: string,
    readonly version: number,
  ) {
    super({
      code: 'encryption_key_unavailable',
      status: 500,
      message: {
        en: 'The document cannot be decrypted right now. Please try again later.',
        zh: '暂时无法解密该证件，请稍后再试。',
      },
      details: { documentId, version },
    });
  }
}

export type IntegrityFailure =
  /** The wrapped data key did not authenticate under its KEK and this document version. */
  | 'wrapped_key_rejected'
  /** The content did not authenticate under its data key and this document/version/side. */
  | 'content_rejected'
  /** The stored envelope is not one this code wrote (truncated, unknown format). */
  | 'malformed_envelope'
  /** The row says the content exists but the blob store has nothing under its key. */
  | 'content_missing';

/**
 * Stored ciphertext or a wrapped key failed verification: tampering, corruption, or a record moved
 * to another document. Never answered with details beyond the ids.
 */
export class DocumentIntegrityError extends DomainError {
  constructor(
    readonly reason: IntegrityFailure,
    readonly documentId: string,
    readonly version: number,
    readonly side?: string,
  ) {
    super({
      code: 'document_integrity_failed',
      status: 500,
      message: {
        en: 'The stored document failed an integrity check.',
        zh: '存储的证件未通过完整性校验。',
      },
      details: side === undefined ? { documentId, version } : { documentId, version, side },
    });
  }
}
