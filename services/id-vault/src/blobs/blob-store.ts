import type { EntityManager } from 'typeorm';

/**
 * Where sealed (already encrypted) parts are kept. The Postgres store joins the caller's
 * transaction; an object store (S3-compatible, for production) cannot, so its contract is: write
 * the blob before the row that refers to it commits, delete it after the row is gone, and let an
 * orphan sweep remove blobs no row names. Blobs are ciphertext: a stray one is unreadable once its
 * data key is shredded.
 */
export abstract class BlobStore {
  abstract put(m: EntityManager, key: string, bytes: Buffer): Promise<void>;
  abstract get(m: EntityManager, key: string): Promise<Buffer | undefined>;
  /** Deletes every blob whose key starts with `prefix` (all parts of a document). */
  abstract deletePrefix(m: EntityManager, prefix: string): Promise<number>;
}
