// The orphan sweep against real Postgres (the Postgres blob store stands in for any store: the
// sweep only lists and deletes through the BlobStore interface; S3's listing has its own spec).
import { Counter, Registry } from '@portico/observability';
import { Client } from 'pg';
import { createVaultTestDatabase, type VaultTestDatabase } from '../crypto/test-support/vault-database';
import { OrphanBlobSweeper } from './orphan-blob-sweeper';
import { PostgresBlobStore } from './postgres-blob-store';

const HOUR = 3_600_000;

describe('OrphanBlobSweeper (real Postgres)', () => {
  let db: VaultTestDatabase;
  let store: PostgresBlobStore;
  let pg: Client;

  beforeAll(async () => {
    db = await createVaultTestDatabase('vault_orphans_int');
    store = new PostgresBlobStore(db.dataSource);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const keys = async () =>
    (await pg.query<{ key: string }>('SELECT key FROM vault_blobs ORDER BY key')).rows.map((r) => r.key);
  const age = (key: string, hours: number) =>
    pg.query(`UPDATE vault_blobs SET created_at = now() - make_interval(hours => $2) WHERE key = $1`, [
      key,
      hours,
    ]);

  it('deletes old unreferenced document blobs only: referenced, young and foreign keys stay', async () => {
    const referenced = 'documents/doc_1/1/front.aaa';
    await db.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO document_keys (document_id, version, kek_id, wrapped_key) VALUES ('doc_1', 1, 'k1', '\\x00')`,
      );
      await store.put(referenced, Buffer.from('sealed'), m);
      await m.query(
        `INSERT INTO document_blobs (document_id, version, side, blob_key, byte_length) VALUES ('doc_1', 1, 'front', $1, 6)`,
        [referenced],
      );
    });
    await store.put('documents/doc_2/1/front.bbb', Buffer.from('orphan'));
    await store.put('documents/doc_3/1/front.ccc', Buffer.from('young orphan'));
    await store.put('exports/report.json', Buffer.from('not a document'));
    for (const key of [referenced, 'documents/doc_2/1/front.bbb', 'exports/report.json']) await age(key, 48);

    const registry = new Registry();
    const deleted = new Counter({ name: 'orphans_deleted_total', help: 'test', registers: [registry] });
    const sweeper = new OrphanBlobSweeper({ dataSource: db.dataSource, store, graceMs: 24 * HOUR, deleted });
    expect(await sweeper.sweep(new Date())).toEqual({ ran: true, scanned: 2, deleted: 1 });
    expect((await deleted.get()).values[0]?.value).toBe(1);
    expect(await keys()).toEqual([
      'documents/doc_1/1/front.aaa',
      'documents/doc_3/1/front.ccc',
      'exports/report.json',
    ]);
    // Idempotent.
    expect(await sweeper.sweep(new Date())).toEqual({ ran: true, scanned: 1, deleted: 0 });
  });

  it('walks every page of a large backlog', async () => {
    await pg.query(`
      INSERT INTO vault_blobs (key, bytes, created_at)
      SELECT 'documents/bulk_' || lpad(i::text, 5, '0') || '/1/front.x', '\\x01', now() - interval '3 days'
        FROM generate_series(1, 2345) AS i`);
    const sweeper = new OrphanBlobSweeper({ dataSource: db.dataSource, store, graceMs: 24 * HOUR });
    const report = await sweeper.sweep(new Date());
    expect(report.deleted).toBe(2345);
    expect((await keys()).filter((k) => k.startsWith('documents/bulk_'))).toEqual([]);
  });

  it('skips a sweep another instance is running', async () => {
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [0x5641_554c]);
      const sweeper = new OrphanBlobSweeper({ dataSource: db.dataSource, store, graceMs: HOUR });
      expect(await sweeper.sweep(new Date())).toEqual({ ran: false, scanned: 0, deleted: 0 });
      await other.query('SELECT pg_advisory_unlock($1)', [0x5641_554c]);
      expect((await sweeper.sweep(new Date())).ran).toBe(true);
    } finally {
      await other.end();
    }
  });
});
