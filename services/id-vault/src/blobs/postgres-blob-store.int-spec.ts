// The Postgres blob store against real Postgres: bytes survive exactly, and writes join the
// caller's transaction (what lets the vault commit a blob with the rows that reference it).
import { Client } from 'pg';
import { createVaultTestDatabase, type VaultTestDatabase } from '../crypto/test-support/vault-database';
import { PostgresBlobStore } from './postgres-blob-store';

describe('PostgresBlobStore (real Postgres)', () => {
  let db: VaultTestDatabase;
  let store: PostgresBlobStore;
  let observer: Client;

  beforeAll(async () => {
    db = await createVaultTestDatabase('vault_blobs_int');
    store = new PostgresBlobStore(db.dataSource);
    observer = new Client({ connectionString: db.url });
    await observer.connect();
  });
  afterAll(async () => {
    await observer?.end();
    await db?.drop();
  });

  const committed = async (key: string) =>
    (await observer.query('SELECT count(*)::int AS n FROM vault_blobs WHERE key = $1', [key])).rows[0].n;

  it('stores every byte value unchanged and reads it back', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await store.put('documents/a/1/front.x', bytes);
    expect(await store.get('documents/a/1/front.x')).toEqual(bytes);
  });

  it('answers undefined for a missing key and deletes idempotently', async () => {
    expect(await store.get('documents/nothing')).toBeUndefined();
    await store.put('documents/b/1/front.x', Buffer.from('b'));
    await store.delete('documents/b/1/front.x');
    await store.delete('documents/b/1/front.x');
    expect(await store.get('documents/b/1/front.x')).toBeUndefined();
  });

  it('never overwrites: a second put under the same key fails', async () => {
    await store.put('documents/c/1/front.x', Buffer.from('first'));
    await expect(store.put('documents/c/1/front.x', Buffer.from('second'))).rejects.toThrow(/duplicate key/);
    expect((await store.get('documents/c/1/front.x'))?.toString()).toBe('first');
  });

  it('writes in the caller’s transaction: invisible until commit, gone on rollback', async () => {
    await expect(
      db.dataSource.transaction(async (m) => {
        await store.put('documents/d/1/front.x', Buffer.from('d'), m);
        expect((await store.get('documents/d/1/front.x', m))?.toString()).toBe('d');
        expect(await committed('documents/d/1/front.x')).toBe(0);
        throw new Error('the row insert failed');
      }),
    ).rejects.toThrow('the row insert failed');
    expect(await committed('documents/d/1/front.x')).toBe(0);

    await db.dataSource.transaction(async (m) => {
      await store.put('documents/e/1/front.x', Buffer.from('e'), m);
    });
    expect(await committed('documents/e/1/front.x')).toBe(1);

    await expect(
      db.dataSource.transaction(async (m) => {
        await store.delete('documents/e/1/front.x', m);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await committed('documents/e/1/front.x')).toBe(1);
  });
});
