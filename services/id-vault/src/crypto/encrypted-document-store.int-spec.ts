// The encrypted document store against real Postgres: what is stored is ciphertext only, every
// kind of tampering with the stored rows is caught, and shredding makes a document unreadable.
import { randomUUID } from 'node:crypto';
import { waitFor } from '@portico/testing';
import { PostgresBlobStore } from '../blobs/postgres-blob-store';
import { DocumentCipher } from './document-cipher';
import { EncryptedDocumentStore } from './encrypted-document-store';
import { createVaultTestDatabase, TestKeys, type VaultTestDatabase } from './test-support/vault-database';
import {
  DocumentIntegrityError,
  DocumentNotFoundError,
  DocumentShreddedError,
  DocumentSideExistsError,
  EncryptionKeyUnavailableError,
} from './vault-errors';

const NUMBER = '110101199003077777';
const image = (label: string) => Buffer.from(`${label}: ${NUMBER} 张三 ${'x'.repeat(200)}`, 'utf8');

describe('EncryptedDocumentStore (real Postgres)', () => {
  let db: VaultTestDatabase;
  let store: EncryptedDocumentStore;
  const keys = new TestKeys();

  const storeWith = (...kekIds: string[]) =>
    new EncryptedDocumentStore(
      db.dataSource,
      new DocumentCipher(keys.keyring(...kekIds)),
      new PostgresBlobStore(db.dataSource),
    );
  const seal = (documentId: string, version: number, side: string, bytes: Buffer, s = store) =>
    db.dataSource.transaction((m) => s.seal(documentId, version, side, bytes, m));
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
    db.dataSource.query(text, params);
  const blobKeyOf = async (documentId: string, side: string) =>
    (
      await sql<{ blob_key: string }>(
        `SELECT blob_key FROM document_blobs WHERE document_id = $1 AND side = $2`,
        [documentId, side],
      )
    )[0].blob_key;

  /** The error `open` fails with; also checks that nothing of the plaintext leaks into it. */
  async function openFailure(documentId: string, version = 1, side = 'front', s = store) {
    const error = await s.open(documentId, version, side).then(
      () => undefined,
      (e: unknown) => e as Error & { details?: unknown },
    );
    expect(error).toBeDefined();
    expect(`${error!.message} ${JSON.stringify(error!.details)}`).not.toContain(NUMBER);
    return error!;
  }

  beforeAll(async () => {
    db = await createVaultTestDatabase('vault_store_int');
    store = storeWith('k1');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('seals a new version’s sides in two round trips, readable each, and refuses the version a second time', async () => {
    const id = randomUUID();
    const sides = ['front', 'back', 'fields'];
    const results = await db.dataSource.transaction((m) =>
      store.sealNewVersion(
        id,
        1,
        sides.map((side) => ({ side, plaintext: image(side) })),
        m,
      ),
    );
    expect(results).toHaveLength(3);
    for (const side of sides) expect((await store.open(id, 1, side)).equals(image(side))).toBe(true);
    const stored = await sql<{ bytes: Buffer }>(
      `SELECT b.bytes FROM vault_blobs b JOIN document_blobs d ON d.blob_key = b.key WHERE d.document_id = $1`,
      [id],
    );
    expect(stored).toHaveLength(3);
    for (const s of stored) expect(s.bytes.toString('latin1')).not.toContain(NUMBER);
    expect(await sql(`SELECT 1 FROM document_keys WHERE document_id = $1`, [id])).toHaveLength(1);

    const again = await db.dataSource
      .transaction((m) => store.sealNewVersion(id, 1, [{ side: 'front', plaintext: image('other') }], m))
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DocumentSideExistsError);
    // Rolled back with the caller: still the first three blobs, the first content.
    expect(await sql(`SELECT 1 FROM document_blobs WHERE document_id = $1`, [id])).toHaveLength(3);
    expect((await store.open(id, 1, 'front')).equals(image('front'))).toBe(true);
  });

  it('seals two sides of a version under one data key, stores no plaintext, opens both', async () => {
    const id = randomUUID();
    const result = await db.dataSource.transaction(async (m) => {
      const front = await store.seal(id, 1, 'front', image('front'), m);
      await store.seal(id, 1, 'back', image('back'), m);
      return front;
    });
    expect(result.kekId).toBe('k1');
    expect(result.blobKey).toMatch(new RegExp(`^documents/${id}/1/front\\.[0-9a-f-]{36}$`));
    expect(await store.open(id, 1, 'front')).toEqual(image('front'));
    expect(await store.open(id.toUpperCase(), 1, 'back')).toEqual(image('back'));

    const keyRows = await sql<{ kek_id: string; wrapped_key: Buffer }>(
      `SELECT kek_id, wrapped_key FROM document_keys WHERE document_id = $1`,
      [id],
    );
    expect(keyRows).toHaveLength(1);
    expect(keyRows[0].kek_id).toBe('k1');
    const blobs = await sql<{ bytes: Buffer }>(`SELECT bytes FROM vault_blobs WHERE key LIKE $1`, [
      `documents/${id}/%`,
    ]);
    expect(blobs).toHaveLength(2);
    for (const { bytes } of blobs) {
      expect(bytes.includes(Buffer.from(NUMBER))).toBe(false);
      expect(bytes.includes(keyRows[0].wrapped_key)).toBe(false); // keys never sit beside the content
    }
  });

  it('commits nothing when the caller’s transaction rolls back', async () => {
    const id = randomUUID();
    await expect(
      db.dataSource.transaction(async (m) => {
        await store.seal(id, 1, 'front', image('front'), m);
        throw new Error('consent could not be recorded');
      }),
    ).rejects.toThrow('consent could not be recorded');
    expect(await sql(`SELECT 1 FROM document_keys WHERE document_id = $1`, [id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM vault_blobs WHERE key LIKE $1`, [`documents/${id}/%`])).toHaveLength(0);
    expect(await openFailure(id)).toBeInstanceOf(DocumentNotFoundError);
  });

  it('writes a side once; a new version gets a data key of its own', async () => {
    const id = randomUUID();
    await seal(id, 1, 'front', image('v1'));
    await expect(seal(id, 1, 'front', image('again'))).rejects.toBeInstanceOf(DocumentSideExistsError);
    await seal(id, 2, 'front', image('v2'));
    const wrapped = await sql<{ wrapped_key: Buffer }>(
      `SELECT wrapped_key FROM document_keys WHERE document_id = $1 ORDER BY version`,
      [id],
    );
    expect(wrapped).toHaveLength(2);
    expect(wrapped[0].wrapped_key).not.toEqual(wrapped[1].wrapped_key);
    expect(await store.open(id, 1, 'front')).toEqual(image('v1'));
    expect(await store.open(id, 2, 'front')).toEqual(image('v2'));
    expect(await openFailure(id, 3)).toBeInstanceOf(DocumentNotFoundError);
    expect(await openFailure(id, 1, 'back')).toMatchObject({ code: 'document_not_found' });
  });

  it('two transactions sealing the first sides of one version at once end up with one shared data key', async () => {
    const id = randomUUID();
    let release!: () => void;
    let sealedByFirst!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const firstSealed = new Promise<void>((resolve) => (sealedByFirst = resolve));
    // A creates the version's key and stays open; B, sealing another side, must wait for A's row and use it.
    const first = db.dataSource.transaction(async (m) => {
      await store.seal(id, 1, 'front', image('front'), m);
      sealedByFirst();
      await held;
    });
    await firstSealed;
    const second = seal(id, 1, 'back', image('back'));
    await waitFor(
      async () =>
        (
          await sql(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).length > 0,
      { timeoutMs: 10_000, description: 'the second seal waiting for the first one’s key row' },
    );
    release();
    await Promise.all([first, second]);
    expect(await sql(`SELECT 1 FROM document_keys WHERE document_id = $1`, [id])).toHaveLength(1);
    expect(await store.open(id, 1, 'front')).toEqual(image('front'));
    expect(await store.open(id, 1, 'back')).toEqual(image('back'));
  });

  it('detects a flipped byte in the stored ciphertext', async () => {
    const id = randomUUID();
    await seal(id, 1, 'front', image('front'));
    await sql(`UPDATE vault_blobs SET bytes = set_byte(bytes, 40, get_byte(bytes, 40) # 1) WHERE key = $1`, [
      await blobKeyOf(id, 'front'),
    ]);
    const error = await openFailure(id);
    expect(error).toBeInstanceOf(DocumentIntegrityError);
    expect(error).toMatchObject({
      code: 'document_integrity_failed',
      reason: 'content_rejected',
      status: 500,
    });
    expect(error.details).toEqual({ documentId: id, version: 1, side: 'front' });
  });

  it('detects content copied from another document, or from another side', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await seal(a, 1, 'front', image('a'));
    await seal(b, 1, 'front', image('b'));
    // b's front now holds a's ciphertext: same layout, wrong data key and AAD.
    await sql(
      `UPDATE vault_blobs SET bytes = (SELECT bytes FROM vault_blobs WHERE key = $1) WHERE key = $2`,
      [await blobKeyOf(a, 'front'), await blobKeyOf(b, 'front')],
    );
    expect(await openFailure(b)).toMatchObject({ reason: 'content_rejected' });
    // Same document, same data key: only the side in the AAD tells front from back.
    const c = randomUUID();
    await seal(c, 1, 'front', image('c front'));
    await seal(c, 1, 'back', image('c back'));
    await sql(
      `UPDATE vault_blobs SET bytes = (SELECT bytes FROM vault_blobs WHERE key = $1) WHERE key = $2`,
      [await blobKeyOf(c, 'front'), await blobKeyOf(c, 'back')],
    );
    expect(await store.open(c, 1, 'front')).toEqual(image('c front'));
    expect(await openFailure(c, 1, 'back')).toMatchObject({ reason: 'content_rejected' });
  });

  it('detects wrapped keys swapped between documents', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await seal(a, 1, 'front', image('a'));
    await seal(b, 1, 'front', image('b'));
    await sql(
      `UPDATE document_keys AS t SET wrapped_key = s.wrapped_key
         FROM document_keys AS s
        WHERE (t.document_id, s.document_id) IN (($1::text, $2::text), ($2::text, $1::text))`,
      [a, b],
    );
    expect(await openFailure(a)).toMatchObject({
      reason: 'wrapped_key_rejected',
      code: 'document_integrity_failed',
    });
    expect(await openFailure(b)).toMatchObject({ reason: 'wrapped_key_rejected' });
  });

  it('cannot open a document whose KEK is not configured here', async () => {
    const id = randomUUID();
    await seal(id, 1, 'front', image('front'));
    const error = await openFailure(id, 1, 'front', storeWith('k2'));
    expect(error).toBeInstanceOf(EncryptionKeyUnavailableError);
    expect(error).toMatchObject({ kekId: 'k1', details: { documentId: id, version: 1 } });
  });

  it('shreds every version: keys destroyed, blobs deleted, reads answer document_shredded', async () => {
    const id = randomUUID();
    const other = randomUUID();
    await seal(id, 1, 'front', image('v1 front'));
    await seal(id, 1, 'back', image('v1 back'));
    await seal(id, 2, 'front', image('v2 front'));
    await seal(other, 1, 'front', image('other'));
    const backup = await sql<{ key: string; bytes: Buffer }>(
      `SELECT key, bytes FROM vault_blobs WHERE key LIKE $1`,
      [`documents/${id}/%`],
    );
    expect(backup).toHaveLength(3);

    const result = await db.dataSource.transaction((m) => store.shred(id, m));
    expect(result).toEqual({ versionsShredded: [1, 2], blobsDeleted: 3 });

    for (const [version, side] of [
      [1, 'front'],
      [1, 'back'],
      [2, 'front'],
    ] as const) {
      const error = await openFailure(id, version, side);
      expect(error).toBeInstanceOf(DocumentShreddedError);
      expect(error).toMatchObject({ code: 'document_shredded', status: 410 });
    }
    const keyRows = await sql<{
      kek_id: string | null;
      wrapped_key: Buffer | null;
      shredded_at: Date | null;
    }>(`SELECT kek_id, wrapped_key, shredded_at FROM document_keys WHERE document_id = $1`, [id]);
    expect(keyRows).toHaveLength(2);
    for (const row of keyRows)
      expect(row).toMatchObject({ kek_id: null, wrapped_key: null, shredded_at: expect.any(Date) });
    expect(await sql(`SELECT 1 FROM vault_blobs WHERE key LIKE $1`, [`documents/${id}/%`])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM document_blobs WHERE document_id = $1`, [id])).toHaveLength(0);

    // A surviving copy of the ciphertext (a backup) put back in place still cannot be read: its key is gone.
    await db.dataSource.transaction(async (m) => {
      for (const { key, bytes } of backup) {
        await m.query(`INSERT INTO vault_blobs (key, bytes) VALUES ($1, $2)`, [key, bytes]);
        const [, version, side] = key.slice(`documents/${id}/`.length).match(/^(\d+)\/([a-z]+)\./)!;
        await m.query(
          `INSERT INTO document_blobs (document_id, version, side, blob_key, byte_length) VALUES ($1, $2, $3, $4, $5)`,
          [id, Number(version), side, key, bytes.length],
        );
      }
    });
    expect(await openFailure(id, 1, 'front')).toBeInstanceOf(DocumentShreddedError);

    // Other documents are untouched; a shredded version is never sealed again; shred is idempotent
    // (the second call only clears the references restored above).
    expect(await store.open(other, 1, 'front')).toEqual(image('other'));
    await expect(seal(id, 1, 'photo', image('late'))).rejects.toBeInstanceOf(DocumentShreddedError);
    await expect(db.dataSource.transaction((m) => store.shred(id, m))).resolves.toEqual({
      versionsShredded: [],
      blobsDeleted: 3,
    });
  });

  it('shredding an unknown document does nothing', async () => {
    await expect(db.dataSource.transaction((m) => store.shred(randomUUID(), m))).resolves.toEqual({
      versionsShredded: [],
      blobsDeleted: 0,
    });
  });
});
