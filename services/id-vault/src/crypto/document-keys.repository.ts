import type { EntityManager } from 'typeorm';
import type { ContentRef, DocumentVersionRef } from './associated-data';
import type { WrappedKey } from './key-encryption-keys';

/** A `document_keys` row: a live wrapped key, or the tombstone of a shredded version. */
export type KeyRow =
  | { readonly state: 'live'; readonly wrapped: WrappedKey }
  | { readonly state: 'shredded'; readonly shreddedAt: Date };

export interface RewrapCandidate extends DocumentVersionRef {
  readonly wrapped: WrappedKey;
}

interface RawKeyRow {
  kek_id: string | null;
  wrapped_key: Buffer | null;
  shredded_at: Date | null;
}

function toKeyRow(row: RawKeyRow | undefined): KeyRow | undefined {
  if (!row) return undefined;
  if (row.shredded_at || !row.kek_id || !row.wrapped_key) {
    return { state: 'shredded', shreddedAt: row.shredded_at ?? new Date(0) };
  }
  return { state: 'live', wrapped: { kekId: row.kek_id, bytes: row.wrapped_key } };
}

/** TypeORM's postgres driver answers UPDATE/DELETE ... RETURNING as [rows, affectedCount], anything else as rows. */
function returned<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') {
    return raw[0] as T[];
  }
  return raw as T[];
}

/** Lowest possible keyset cursor: every real row sorts after it (version > 0 is a table constraint). */
export const START_CURSOR: DocumentVersionRef = {
  documentId: '00000000-0000-0000-0000-000000000000',
  version: 0,
};

/** All SQL for `document_keys` and `document_blobs`. Every method runs in the transaction it is given. */
export class DocumentKeysRepository {
  async findKey(m: EntityManager, ref: DocumentVersionRef, lock = false): Promise<KeyRow | undefined> {
    const rows: RawKeyRow[] = await m.query(
      `SELECT kek_id, wrapped_key, shredded_at FROM document_keys
        WHERE document_id = $1 AND version = $2${lock ? ' FOR UPDATE' : ''}`,
      [ref.documentId, ref.version],
    );
    return toKeyRow(rows[0]);
  }

  /** False when the row already exists (a concurrent seal of the same version won the race). */
  async insertKey(m: EntityManager, ref: DocumentVersionRef, wrapped: WrappedKey): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO document_keys (document_id, version, kek_id, wrapped_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (document_id, version) DO NOTHING RETURNING version`,
      [ref.documentId, ref.version, wrapped.kekId, wrapped.bytes],
    );
    return rows.length === 1;
  }

  /**
   * A new version's key and all its blob rows in one statement, with the blobs' bytes too when they
   * live in this database (`contents`); false (nothing written) when the version already has a
   * key. The rows reference the key row inserted beside them: foreign keys are checked at the end
   * of the statement, when all exist.
   */
  async insertKeyWithBlobs(
    m: EntityManager,
    ref: DocumentVersionRef,
    wrapped: WrappedKey,
    blobs: ReadonlyArray<{ side: string; blobKey: string; byteLength: number; bytes?: Buffer }>,
    withContents: boolean,
  ): Promise<boolean> {
    const rows: Array<{ n: number }> = await m.query(
      `WITH k AS (
         INSERT INTO document_keys (document_id, version, kek_id, wrapped_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (document_id, version) DO NOTHING RETURNING document_id, version
       ), x AS (
         SELECT * FROM unnest($5::text[], $6::text[], $7::int[], $8::bytea[]) AS x (side, blob_key, byte_length, bytes)
       ), c AS (
         INSERT INTO vault_blobs (key, bytes) SELECT x.blob_key, x.bytes FROM k, x WHERE $9::boolean
       ), b AS (
         INSERT INTO document_blobs (document_id, version, side, blob_key, byte_length)
         SELECT k.document_id, k.version, x.side, x.blob_key, x.byte_length FROM k, x
       )
       SELECT (SELECT count(*) FROM k)::int AS n`,
      [
        ref.documentId,
        ref.version,
        wrapped.kekId,
        wrapped.bytes,
        blobs.map((b) => b.side),
        blobs.map((b) => b.blobKey),
        blobs.map((b) => b.byteLength),
        blobs.map((b) => (withContents ? b.bytes! : null)),
        withContents,
      ],
    );
    return rows[0]?.n === 1;
  }

  async findBlobKey(m: EntityManager, ref: ContentRef): Promise<string | undefined> {
    const rows: { blob_key: string }[] = await m.query(
      `SELECT blob_key FROM document_blobs WHERE document_id = $1 AND version = $2 AND side = $3`,
      [ref.documentId, ref.version, ref.side],
    );
    return rows[0]?.blob_key;
  }

  async insertBlob(m: EntityManager, ref: ContentRef, blobKey: string, byteLength: number): Promise<void> {
    await m.query(
      `INSERT INTO document_blobs (document_id, version, side, blob_key, byte_length) VALUES ($1, $2, $3, $4, $5)`,
      [ref.documentId, ref.version, ref.side, blobKey, byteLength],
    );
  }

  /** Destroys every live wrapped key of the document, leaving tombstones. Returns the versions shredded now. */
  async shredKeys(m: EntityManager, documentId: string): Promise<number[]> {
    const raw: unknown = await m.query(
      `UPDATE document_keys SET kek_id = NULL, wrapped_key = NULL, shredded_at = now()
        WHERE document_id = $1 AND shredded_at IS NULL
        RETURNING version`,
      [documentId],
    );
    return returned<{ version: number }>(raw)
      .map((r) => r.version)
      .sort((a, b) => a - b);
  }

  /** Removes the document's blob references and returns the keys whose bytes are to be deleted. */
  async deleteBlobRows(m: EntityManager, documentId: string): Promise<string[]> {
    const raw: unknown = await m.query(
      `DELETE FROM document_blobs WHERE document_id = $1 RETURNING blob_key`,
      [documentId],
    );
    return returned<{ blob_key: string }>(raw).map((r) => r.blob_key);
  }

  /**
   * The next live keys not under `activeKekId`, after `cursor` in key order, locked for this
   * transaction. SKIP LOCKED lets several rewrap runs (or a run beside the service) share the work
   * without waiting on each other; the keyset cursor moves past rows a run cannot rewrap, so a
   * missing KEK never makes a run spin on the same rows.
   */
  async claimRewrapBatch(
    m: EntityManager,
    activeKekId: string,
    cursor: DocumentVersionRef,
    limit: number,
  ): Promise<RewrapCandidate[]> {
    const rows: { document_id: string; version: number; kek_id: string; wrapped_key: Buffer }[] =
      await m.query(
        `SELECT document_id, version, kek_id, wrapped_key FROM document_keys
        WHERE wrapped_key IS NOT NULL AND kek_id <> $1
          AND (document_id, version) > ($2::text, $3::int)
        ORDER BY document_id, version
        LIMIT $4
        FOR UPDATE SKIP LOCKED`,
        [activeKekId, cursor.documentId, cursor.version, limit],
      );
    return rows.map((r) => ({
      documentId: r.document_id,
      version: r.version,
      wrapped: { kekId: r.kek_id, bytes: r.wrapped_key },
    }));
  }

  /** Replaces wrapped keys in one statement. Rows shredded meanwhile stay shredded. */
  async replaceWrappedKeys(
    m: EntityManager,
    updates: readonly { ref: DocumentVersionRef; wrapped: WrappedKey }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await m.query(
      `UPDATE document_keys AS k
          SET kek_id = u.kek_id, wrapped_key = u.wrapped_key, rewrapped_at = now()
         FROM unnest($1::text[], $2::int[], $3::text[], $4::bytea[]) AS u(document_id, version, kek_id, wrapped_key)
        WHERE k.document_id = u.document_id AND k.version = u.version AND k.wrapped_key IS NOT NULL`,
      [
        updates.map((u) => u.ref.documentId),
        updates.map((u) => u.ref.version),
        updates.map((u) => u.wrapped.kekId),
        updates.map((u) => u.wrapped.bytes),
      ],
    );
  }

  /** Live keys per KEK id. */
  async countLiveKeysByKek(m: EntityManager): Promise<Record<string, number>> {
    const rows: { kek_id: string; n: number }[] = await m.query(
      `SELECT kek_id, count(*)::int AS n FROM document_keys WHERE wrapped_key IS NOT NULL GROUP BY kek_id ORDER BY kek_id`,
    );
    return Object.fromEntries(rows.map((r) => [r.kek_id, r.n]));
  }
}
