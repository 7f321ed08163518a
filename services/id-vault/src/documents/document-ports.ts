import type { vault } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import type { DocumentSideName, DocumentTypeName } from '../shared/document-types';

/** One uploaded side as it arrived: bytes nobody has looked at yet. */
export interface ArrivedSide {
  readonly side: DocumentSideName;
  readonly bytes: Buffer;
}

/** What the resident typed next to the photos (all optional, all personal data). */
export interface TypedFields {
  readonly idNumber?: string;
  readonly expiry?: string;
  readonly name?: string;
}

export interface CheckRequest {
  /** What the resident says they are sending (the form's documentType). */
  readonly documentType: DocumentTypeName;
  /** What the upload request asked for; a different declared type fails WRONG_DOCUMENT_TYPE. */
  readonly requestedType: DocumentTypeName;
  readonly sides: readonly ArrivedSide[];
  readonly typed: TypedFields;
  /** `<keyId>:<base64>` keyed digest of the waybill recipient's name, null when unknown. */
  readonly waybillNameDigest: string | null;
  /** Cards expiring before this are refused (the case deadline, or now). */
  readonly validUntilAtLeast: Date;
}

export interface CheckFailure {
  readonly code: vault.DocumentCheckCode;
  /** Machine code as the resident page and API show it (`blurry`, `side_missing`, …). */
  readonly name: string;
  readonly side?: DocumentSideName;
  readonly message: { readonly en: string; readonly zh: string };
}

export interface CheckedSide {
  readonly side: DocumentSideName;
  /** Auto-rotated, metadata-stripped, re-encoded JPEG: the only form that is ever stored. */
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  readonly sharpness: number;
}

export type CheckOutcome =
  | { readonly ok: true; readonly sides: readonly CheckedSide[] }
  | { readonly ok: false; readonly failures: readonly CheckFailure[] };

/** The automatic checks on arrival (type, caps, sharpness, card shape, ID number, expiry, name). */
export abstract class DocumentChecker {
  abstract check(request: CheckRequest): Promise<CheckOutcome>;
}

/** Where a sealed part of a document lives: one image side, or the typed fields as JSON. */
export interface SealedPartRef {
  readonly documentId: string;
  readonly version: number;
  readonly part: DocumentSideName | 'fields' | `relay-${string}`;
}

/**
 * Envelope-encrypted storage of document parts. Sealing joins the caller's transaction; shredding
 * destroys the data keys (and the blobs), after which nothing can open the parts again.
 */
export abstract class SealedDocuments {
  abstract seal(m: EntityManager, ref: SealedPartRef, plaintext: Buffer): Promise<void>;
  /**
   * Seals every part of a version this transaction just created (no key, no part exists yet), in
   * as few round trips as the store allows; fails, rolling the caller back, if the version exists.
   * The default seals part by part.
   */
  async sealNewVersion(
    m: EntityManager,
    version: { readonly documentId: string; readonly version: number },
    parts: ReadonlyArray<{ readonly part: SealedPartRef['part']; readonly plaintext: Buffer }>,
  ): Promise<void> {
    for (const p of parts) await this.seal(m, { ...version, part: p.part }, p.plaintext);
  }
  abstract open(m: EntityManager, ref: SealedPartRef): Promise<Buffer>;
  abstract shred(m: EntityManager, documentId: string): Promise<void>;
}
