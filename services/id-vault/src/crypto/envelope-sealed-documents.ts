import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SealedDocuments, type SealedPartRef } from '../documents/document-ports';
import { EncryptedDocumentStore } from './encrypted-document-store';

/** The features' SealedDocuments port on the envelope-encrypted store (keys in document_keys, blobs in the BlobStore). */
@Injectable()
export class EnvelopeSealedDocuments extends SealedDocuments {
  constructor(private readonly store: EncryptedDocumentStore) {
    super();
  }

  async seal(m: EntityManager, ref: SealedPartRef, plaintext: Buffer): Promise<void> {
    await this.store.seal(ref.documentId, ref.version, ref.part, plaintext, m);
  }

  override async sealNewVersion(
    m: EntityManager,
    version: { readonly documentId: string; readonly version: number },
    parts: ReadonlyArray<{ readonly part: SealedPartRef['part']; readonly plaintext: Buffer }>,
  ): Promise<void> {
    await this.store.sealNewVersion(
      version.documentId,
      version.version,
      parts.map((p) => ({ side: p.part, plaintext: p.plaintext })),
      m,
    );
  }

  open(m: EntityManager, ref: SealedPartRef): Promise<Buffer> {
    return this.store.open(ref.documentId, ref.version, ref.part, m);
  }

  async shred(m: EntityManager, documentId: string): Promise<void> {
    await this.store.shred(documentId, m);
  }
}
