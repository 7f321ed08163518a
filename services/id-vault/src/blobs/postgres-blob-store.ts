import type { DataSource, EntityManager } from 'typeorm';
import { assertBlobKey, type BlobKeyPage, type BlobStore } from './blob-store';

const PAGE_SIZE = 1_000;

/**
 * Blobs in the service's own database (`vault_blobs`): for local development, tests and small
 * installations. Fully transactional: given the caller's EntityManager, a blob commits or rolls
 * back with the rows that reference it, so the ordering rules of BlobStore hold trivially.
 * Documents are a few hundred KB after re-encoding, well within what bytea handles.
 */
export class PostgresBlobStore implements BlobStore {
  readonly inDatabase = true;
  constructor(private readonly dataSource: DataSource) {}

  async put(key: string, bytes: Buffer, manager?: EntityManager): Promise<void> {
    assertBlobKey(key);
    // A plain INSERT: keys are never reused, so a clash is a bug to surface, not a row to overwrite.
    await this.runner(manager).query(`INSERT INTO vault_blobs (key, bytes) VALUES ($1, $2)`, [key, bytes]);
  }

  async putMany(
    entries: ReadonlyArray<{ key: string; bytes: Buffer }>,
    manager?: EntityManager,
  ): Promise<void> {
    if (entries.length === 0) return;
    entries.forEach((e) => assertBlobKey(e.key));
    await this.runner(manager).query(
      `INSERT INTO vault_blobs (key, bytes) SELECT * FROM unnest($1::text[], $2::bytea[])`,
      [entries.map((e) => e.key), entries.map((e) => e.bytes)],
    );
  }

  async get(key: string, manager?: EntityManager): Promise<Buffer | undefined> {
    assertBlobKey(key);
    const rows: { bytes: Buffer }[] = await this.runner(manager).query(
      `SELECT bytes FROM vault_blobs WHERE key = $1`,
      [key],
    );
    return rows[0]?.bytes;
  }

  async delete(key: string, manager?: EntityManager): Promise<void> {
    assertBlobKey(key);
    await this.runner(manager).query(`DELETE FROM vault_blobs WHERE key = $1`, [key]);
  }

  async listKeys(prefix: string, writtenBefore: Date, after = ''): Promise<BlobKeyPage> {
    const rows: { key: string }[] = await this.dataSource.query(
      `SELECT key FROM vault_blobs
        WHERE starts_with(key, $1) AND created_at < $2 AND key > $3
        ORDER BY key LIMIT $4`,
      [prefix, writtenBefore, after, PAGE_SIZE],
    );
    const keys = rows.map((r) => r.key);
    return keys.length === PAGE_SIZE ? { keys, next: keys[keys.length - 1] } : { keys };
  }

  private runner(manager?: EntityManager): Pick<EntityManager, 'query'> {
    return manager ?? this.dataSource.manager;
  }
}
