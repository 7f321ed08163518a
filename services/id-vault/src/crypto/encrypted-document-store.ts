import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { assertBlobKey, type BlobStore } from '../blobs/blob-store';
import { contentRef, versionRef, type ContentRef } from './associated-data';
import {
  decodeSealedContent,
  encodeSealedContent,
  type DataKey,
  type DocumentCipher,
} from './document-cipher';
import { DocumentKeysRepository } from './document-keys.repository';
import {
  DocumentIntegrityError,
  DocumentNotFoundError,
  DocumentShreddedError,
  DocumentSideExistsError,
} from './vault-errors';

export interface SealResult {
  readonly kekId: string;
  readonly blobKey: string;
  readonly byteLength: number;
}

export interface ShredResult {
  /** Versions whose wrapped keys were destroyed by this call (already shredded ones are not counted). */
  readonly versionsShredded: number[];
  readonly blobsDeleted: number;
}

/**
 * Encrypted documents: one data key per document version (`document_keys`), one blob per side
 * (`document_blobs` → BlobStore). Plaintext goes in and comes out here and nowhere else.
 */
export class EncryptedDocumentStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: DocumentCipher,
    private readonly blobs: BlobStore,
    private readonly repository = new DocumentKeysRepository(),
  ) {}

  /**
   * Encrypts and stores one side of a document version, in the caller's transaction. The first side
   * of a version creates its data key; later sides reuse it (under the version row's lock, so two
   * concurrent first sides cannot create two keys). A side is written once: re-uploads are new versions.
   */
  async seal(
    documentId: string,
    version: number,
    side: string,
    plaintext: Buffer,
    manager: EntityManager,
  ): Promise<SealResult> {
    const ref = contentRef(documentId, version, side);
    const { dataKey, kekId, created } = await this.dataKeyForSealing(ref, manager);
    let stored: Buffer;
    try {
      // A key this transaction just created has no blob rows (they reference the key row): the
      // look-up is needed only for a version's later sides, which saves a round trip per upload.
      if (!created && (await this.repository.findBlobKey(manager, ref))) {
        throw new DocumentSideExistsError(ref.documentId, ref.version, ref.side);
      }
      stored = encodeSealedContent(dataKey.encrypt(ref.side, plaintext));
    } finally {
      dataKey.destroy();
    }
    // A key used once: a rolled-back seal can leave an orphan blob (see BlobStore) but never
    // overwrite committed content, which a deterministic key could in an object store.
    const blobKey = `documents/${ref.documentId}/${ref.version}/${ref.side}.${randomUUID()}`;
    await this.blobs.put(blobKey, stored, manager); // blob first, then the row that references it
    await this.repository.insertBlob(manager, ref, blobKey, stored.length);
    return { kekId, blobKey, byteLength: stored.length };
  }

  /**
   * Seals all sides of a version the caller's transaction just created in one round trip with the
   * Postgres blob store (key, blobs and blob rows in one statement), two with S3 (the objects, then
   * the key with the rows), whatever the number of sides; `seal` costs up to four per side. A version that already has a key is refused (DocumentSideExistsError) and nothing is
   * written to the database; with S3 the blobs already put are orphans the sweep removes.
   */
  async sealNewVersion(
    documentId: string,
    version: number,
    parts: ReadonlyArray<{ side: string; plaintext: Buffer }>,
    manager: EntityManager,
  ): Promise<SealResult[]> {
    const refs = parts.map((p) => contentRef(documentId, version, p.side));
    const first = refs[0];
    if (!first) return [];
    const { dataKey, wrapped } = await this.cipher.createDataKey(first);
    let sealed: Array<{ side: string; blobKey: string; bytes: Buffer }>;
    try {
      sealed = refs.map((ref, i) => ({
        side: ref.side,
        blobKey: `documents/${ref.documentId}/${ref.version}/${ref.side}.${randomUUID()}`,
        bytes: encodeSealedContent(dataKey.encrypt(ref.side, parts[i]!.plaintext)),
      }));
    } finally {
      dataKey.destroy();
    }
    sealed.forEach((s) => assertBlobKey(s.blobKey));
    // An object store gets the blobs first, then the rows that reference them (BlobStore's rules).
    if (!this.blobs.inDatabase)
      await this.blobs.putMany(
        sealed.map((s) => ({ key: s.blobKey, bytes: s.bytes })),
        manager,
      );
    const inserted = await this.repository.insertKeyWithBlobs(
      manager,
      first,
      wrapped,
      sealed.map((s) => ({ side: s.side, blobKey: s.blobKey, byteLength: s.bytes.length, bytes: s.bytes })),
      this.blobs.inDatabase,
    );
    if (!inserted) throw new DocumentSideExistsError(first.documentId, first.version, first.side);
    return sealed.map((s) => ({ kekId: wrapped.kekId, blobKey: s.blobKey, byteLength: s.bytes.length }));
  }

  /**
   * The plaintext of one side. Errors: DocumentNotFoundError, DocumentShreddedError,
   * EncryptionKeyUnavailableError (its KEK is not configured), DocumentIntegrityError (tampering).
   */
  async open(documentId: string, version: number, side: string, manager?: EntityManager): Promise<Buffer> {
    const ref = contentRef(documentId, version, side);
    const m = manager ?? this.dataSource.manager;
    const key = await this.repository.findKey(m, ref);
    if (!key) throw new DocumentNotFoundError(ref.documentId, ref.version, ref.side);
    if (key.state === 'shredded') throw new DocumentShreddedError(ref.documentId, ref.version);
    const blobKey = await this.repository.findBlobKey(m, ref);
    if (!blobKey) throw new DocumentNotFoundError(ref.documentId, ref.version, ref.side);
    const stored = await this.blobs.get(blobKey, m);
    if (!stored) {
      // Outside a transaction, a shred may have committed between the reads above and this one.
      if ((await this.repository.findKey(m, ref))?.state === 'shredded') {
        throw new DocumentShreddedError(ref.documentId, ref.version);
      }
      throw new DocumentIntegrityError('content_missing', ref.documentId, ref.version, ref.side);
    }
    const sealed = decodeSealedContent(stored, ref);
    return this.cipher.withDataKey(ref, key.wrapped, (dataKey) => dataKey.decrypt(ref.side, sealed));
  }

  /**
   * Crypto-shreds every version of a document in the caller's transaction: the wrapped keys are
   * destroyed (tombstones remain) and the blobs deleted. Destroying the keys is what makes it
   * irreversible, for every copy of the ciphertext; deleting blobs is hygiene. With S3 the deletes
   * cannot wait for the commit: call shred last in the transaction, and know that a rollback after
   * it leaves keys whose content is gone (reads then fail with content_missing). Idempotent.
   */
  async shred(documentId: string, manager: EntityManager): Promise<ShredResult> {
    const id = versionRef(documentId, 1).documentId;
    const versionsShredded = await this.repository.shredKeys(manager, id);
    const blobKeys = await this.repository.deleteBlobRows(manager, id);
    for (const blobKey of blobKeys) await this.blobs.delete(blobKey, manager);
    return { versionsShredded, blobsDeleted: blobKeys.length };
  }

  private async dataKeyForSealing(
    ref: ContentRef,
    m: EntityManager,
  ): Promise<{ dataKey: DataKey; kekId: string; created: boolean }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await this.repository.findKey(m, ref, true);
      if (existing?.state === 'shredded') throw new DocumentShreddedError(ref.documentId, ref.version);
      if (existing) {
        return {
          dataKey: await this.cipher.openDataKey(ref, existing.wrapped),
          kekId: existing.wrapped.kekId,
          created: false,
        };
      }
      const created = await this.cipher.createDataKey(ref);
      if (await this.repository.insertKey(m, ref, created.wrapped)) {
        return { dataKey: created.dataKey, kekId: created.wrapped.kekId, created: true };
      }
      // Another transaction created this version's key first; use theirs.
      created.dataKey.destroy();
    }
    throw new Error('could not create or lock the data key of a document version');
  }
}
