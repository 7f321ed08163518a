import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BlobStore } from '../blobs/blob-store';
import { SealedDocuments, type SealedPartRef } from '../documents/document-ports';
import { DocumentCipher } from './document-cipher';
import { KeyEncryptionKeys } from './key-encryption-keys';

export class DocumentShreddedError extends Error {
  constructor(readonly documentId: string) {
    super(`document ${documentId} has been shredded`);
    this.name = 'DocumentShreddedError';
  }
}

function blobKey(ref: SealedPartRef): string {
  return `${ref.documentId}/${ref.version}/${ref.part}`;
}

/**
 * SealedDocuments with envelope encryption: one data key per document version in document_keys
 * (wrapped), parts as ciphertext in the blob store. Shredding deletes the wrapped keys first: from
 * that moment every copy of the ciphertext (blob store, backups) is noise.
 */
@Injectable()
export class EnvelopeSealedDocuments extends SealedDocuments {
  private readonly cipher: DocumentCipher;

  constructor(
    keks: KeyEncryptionKeys,
    private readonly blobs: BlobStore,
  ) {
    super();
    this.cipher = new DocumentCipher(keks);
  }

  async seal(m: EntityManager, ref: SealedPartRef, plaintext: Buffer): Promise<void> {
    const { dataKey, kekId } = await this.dataKeyFor(m, ref, { create: true });
    try {
      const sealed = this.cipher.seal(dataKey, { ...ref, kekId: 'dk' }, plaintext);
      await this.blobs.put(m, blobKey(ref), sealed.bytes);
    } finally {
      dataKey.fill(0);
    }
    void kekId;
  }

  async open(m: EntityManager, ref: SealedPartRef): Promise<Buffer> {
    const { dataKey } = await this.dataKeyFor(m, ref, { create: false });
    try {
      const bytes = await this.blobs.get(m, blobKey(ref));
      if (!bytes) throw new DocumentShreddedError(ref.documentId);
      return this.cipher.open(dataKey, { ...ref, kekId: 'dk' }, { bytes });
    } finally {
      dataKey.fill(0);
    }
  }

  async shred(m: EntityManager, documentId: string): Promise<void> {
    await m.query(`DELETE FROM document_keys WHERE document_id = $1`, [documentId]);
    await this.blobs.deletePrefix(m, `${documentId}/`);
  }

  private async dataKeyFor(
    m: EntityManager,
    ref: SealedPartRef,
    opts: { create: boolean },
  ): Promise<{ dataKey: Buffer; kekId: string }> {
    const rows = (await m.query(
      `SELECT kek_id, wrapped_key FROM document_keys WHERE document_id = $1 AND version = $2`,
      [ref.documentId, ref.version],
    )) as Array<{ kek_id: string; wrapped_key: Buffer }>;
    const row = rows[0];
    if (row) {
      return {
        dataKey: this.cipher.unwrap(ref.documentId, ref.version, {
          kekId: row.kek_id,
          bytes: row.wrapped_key,
        }),
        kekId: row.kek_id,
      };
    }
    if (!opts.create) throw new DocumentShreddedError(ref.documentId);
    const { dataKey, wrapped } = this.cipher.newDataKey(ref.documentId, ref.version);
    await m.query(
      `INSERT INTO document_keys (document_id, version, kek_id, wrapped_key) VALUES ($1, $2, $3, $4)`,
      [ref.documentId, ref.version, wrapped.kekId, wrapped.bytes],
    );
    return { dataKey, kekId: wrapped.kekId };
  }
}
