import type { EntityManager } from 'typeorm';

/**
 * Where encrypted document content lives: opaque bytes under a key. The vault never stores
 * plaintext here, and never the wrapped data keys (those stay in `document_keys`, so destroying
 * them shreds the content even where a blob copy survives, in a backup or a replica).
 *
 * Transactions. `put`/`delete` take the caller's EntityManager: the Postgres store writes through
 * it, so a blob commits or rolls back with the rows that reference it. An object store (S3) cannot
 * join a database transaction and ignores it, so callers follow one rule that keeps it consistent:
 *
 *   - write the blob first, then the row that references it, under a key never used before
 *     (the vault puts a random uuid in every blob key). A rolled-back transaction then leaves at
 *     worst an unreferenced blob, never a row without content and never an overwritten blob;
 *     and what it leaves is ciphertext whose data key was never committed, or is shreddable.
 *   - delete the rows first (or in the same transaction), then the blob.
 *   - unreferenced blobs older than a grace period (longer than any transaction) are orphans,
 *     removed by a periodic sweep that lists the store's `documents/` prefix and deletes keys
 *     absent from `document_blobs`. Not implemented yet; S3 lifecycle rules cannot express it.
 */
export interface BlobStore {
  /**
   * True when blobs are rows of this service's own database (`vault_blobs`): the document store may
   * then write them in the very statement that writes the rows referencing them (one round trip).
   */
  readonly inDatabase: boolean;
  put(key: string, bytes: Buffer, manager?: EntityManager): Promise<void>;
  /** Several blobs at once (one statement for the Postgres store); same rules as `put`. */
  putMany(entries: ReadonlyArray<{ key: string; bytes: Buffer }>, manager?: EntityManager): Promise<void>;
  /** The bytes, or undefined when nothing is stored under the key. */
  get(key: string, manager?: EntityManager): Promise<Buffer | undefined>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string, manager?: EntityManager): Promise<void>;
  /**
   * One page of keys under `prefix` written before `writtenBefore`, in key order, starting after
   * `after` (the previous page's `next`); `next` is absent on the last page.
   */
  listKeys(prefix: string, writtenBefore: Date, after?: string): Promise<BlobKeyPage>;
}

export interface BlobKeyPage {
  readonly keys: readonly string[];
  readonly next?: string;
}

const BLOB_KEY = /^[A-Za-z0-9][A-Za-z0-9!_.*'()/-]{0,511}$/;

/** Keys are ids only (never names or numbers from a document) and safe as S3 object keys. */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || !BLOB_KEY.test(key) || key.includes('//') || key.includes('..')) {
    throw new TypeError("a blob key must be 1-512 characters of letters, digits and !_.*'()/-");
  }
}
