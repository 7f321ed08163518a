// KEK rotation against real Postgres: rewrap moves every data key to the active KEK in batches,
// leaves the ciphertext byte for byte as it was, and is idempotent and restartable.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@portico/config';
import { PostgresBlobStore } from '../blobs/postgres-blob-store';
import { baseSettings } from '../config';
import { cryptoSettings } from './crypto-settings';
import { DocumentCipher } from './document-cipher';
import { EncryptedDocumentStore } from './encrypted-document-store';
import type { KeyEncryptionKeys } from './key-encryption-keys';
import { rewrapDataKeys, runRewrapCommand } from './rewrap';
import { createVaultTestDatabase, TestKeys, type VaultTestDatabase } from './test-support/vault-database';
import { EncryptionKeyUnavailableError } from './vault-errors';

const content = (id: string) => Buffer.from(`document ${id}: 110101199003077777`, 'utf8');

describe('rewrapDataKeys (real Postgres)', () => {
  let db: VaultTestDatabase;
  let keys: TestKeys;

  const storeWith = (ring: KeyEncryptionKeys) =>
    new EncryptedDocumentStore(db.dataSource, new DocumentCipher(ring), new PostgresBlobStore(db.dataSource));
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
    db.dataSource.query(text, params);
  const kekCounts = async () =>
    Object.fromEntries(
      (
        await sql<{ kek_id: string; n: number }>(
          `SELECT coalesce(kek_id, 'shredded') AS kek_id, count(*)::int AS n FROM document_keys GROUP BY 1 ORDER BY 1`,
        )
      ).map((r) => [r.kek_id, r.n]),
    );
  const blobSnapshot = async () =>
    (await sql<{ key: string; bytes: Buffer }>(`SELECT key, bytes FROM vault_blobs ORDER BY key`)).map(
      (r) => `${r.key}:${r.bytes.toString('hex')}`,
    );

  async function sealAll(ring: KeyEncryptionKeys, count: number): Promise<string[]> {
    const store = storeWith(ring);
    const ids = Array.from({ length: count }, () => randomUUID());
    await db.dataSource.transaction(async (m) => {
      for (const id of ids) await store.seal(id, 1, 'front', content(id), m);
    });
    return ids;
  }

  beforeEach(async () => {
    db = await createVaultTestDatabase('vault_rewrap_int');
    keys = new TestKeys();
  });
  afterEach(async () => {
    await db?.drop();
  });

  it('moves every key from k1 to k2 in batches; then k2 alone opens everything; the ciphertext is untouched', async () => {
    const ids = await sealAll(keys.keyring('k1'), 7);
    const shredded = (await sealAll(keys.keyring('k1'), 1))[0];
    await db.dataSource.transaction((m) => storeWith(keys.keyring('k1')).shred(shredded, m));
    const before = await blobSnapshot();

    // Before the rewrap a keyring without k1 cannot open them.
    const onlyK2 = storeWith(keys.keyring('k2'));
    await expect(onlyK2.open(ids[0], 1, 'front')).rejects.toBeInstanceOf(EncryptionKeyUnavailableError);

    const report = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'), { batchSize: 3 });
    expect(report).toMatchObject({
      activeKeyId: 'k2',
      rewrapped: 7,
      batches: 3,
      rejected: 0,
      unavailable: {},
      remaining: 0,
      stopped: false,
      liveKeysByKek: { k2: 7 },
    });
    expect(await kekCounts()).toEqual({ k2: 7, shredded: 1 });
    expect(await blobSnapshot()).toEqual(before);
    for (const id of ids) expect(await onlyK2.open(id, 1, 'front')).toEqual(content(id));
    // The old keyring can no longer open them: the data keys are under k2 only now.
    await expect(storeWith(keys.keyring('k1')).open(ids[0], 1, 'front')).rejects.toBeInstanceOf(
      EncryptionKeyUnavailableError,
    );

    const again = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'), { batchSize: 3 });
    expect(again).toMatchObject({ rewrapped: 0, batches: 0, remaining: 0 });
  });

  it('leaves keys under a KEK it does not have, and says so; a keyring with that KEK finishes the job', async () => {
    const underK1 = await sealAll(keys.keyring('k1'), 3);
    const underK0 = await sealAll(keys.keyring('k0'), 2);
    const report = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'), { batchSize: 2 });
    expect(report).toMatchObject({
      rewrapped: 3,
      unavailable: { k0: 2 },
      remaining: 2,
      liveKeysByKek: { k0: 2, k2: 3 },
    });
    const onlyK2 = storeWith(keys.keyring('k2'));
    for (const id of underK1) expect(await onlyK2.open(id, 1, 'front')).toEqual(content(id));
    await expect(onlyK2.open(underK0[0], 1, 'front')).rejects.toMatchObject({
      code: 'encryption_key_unavailable',
    });

    const finish = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k0'));
    expect(finish).toMatchObject({ rewrapped: 2, remaining: 0 });
    for (const id of underK0) expect(await onlyK2.open(id, 1, 'front')).toEqual(content(id));
  });

  it('skips a tampered wrapped key (counted, left as is) and rewraps the rest', async () => {
    const ids = await sealAll(keys.keyring('k1'), 4);
    await sql(
      `UPDATE document_keys SET wrapped_key = set_byte(wrapped_key, 19, get_byte(wrapped_key, 19) # 1) WHERE document_id = $1`,
      [ids[1]],
    );
    const report = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'));
    expect(report).toMatchObject({
      rewrapped: 3,
      rejected: 1,
      remaining: 1,
      liveKeysByKek: { k1: 1, k2: 3 },
    });
  });

  it('skips rows another transaction holds, and a rerun picks them up', async () => {
    const ids = await sealAll(keys.keyring('k1'), 4);
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM document_keys WHERE document_id = $1 FOR UPDATE`, [ids[2]]);
      const report = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'), { batchSize: 2 });
      expect(report).toMatchObject({ rewrapped: 3, remaining: 1 });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    const rerun = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'), { batchSize: 2 });
    expect(rerun).toMatchObject({ rewrapped: 1, remaining: 0 });
    expect(await kekCounts()).toEqual({ k2: 4 });
  });

  it('is restartable: a failure rolls back only the batch in progress, a rerun completes', async () => {
    await sealAll(keys.keyring('k1'), 5);
    const ring = keys.keyring('k2', 'k1');
    let wraps = 0;
    const failing: KeyEncryptionKeys = {
      activeKeyId: ring.activeKeyId,
      has: (id) => ring.has(id),
      unwrap: (w, c) => ring.unwrap(w, c),
      wrap: async (k, c) => {
        if (++wraps === 3) throw new Error('KMS unavailable');
        return ring.wrap(k, c);
      },
    };
    await expect(rewrapDataKeys(db.dataSource, failing, { batchSize: 2 })).rejects.toThrow('KMS unavailable');
    expect(await kekCounts()).toEqual({ k1: 3, k2: 2 });
    const rerun = await rewrapDataKeys(db.dataSource, ring, { batchSize: 2 });
    expect(rerun).toMatchObject({ rewrapped: 3, remaining: 0 });
  });

  it('stops between batches when asked to', async () => {
    await sealAll(keys.keyring('k1'), 3);
    const abort = new AbortController();
    const report = await rewrapDataKeys(db.dataSource, keys.keyring('k2', 'k1'), {
      batchSize: 1,
      signal: abort.signal,
      logger: { info: () => abort.abort(), warn: () => undefined },
    });
    expect(report).toMatchObject({ rewrapped: 1, batches: 1, stopped: true, remaining: 2 });
  });

  it('runs as the rewrap-keys command: exit status 0 when done, 2 when keys remain', async () => {
    await sealAll(keys.keyring('k1'), 2);
    await sealAll(keys.keyring('k0'), 1);
    const definition = { ...baseSettings, ...cryptoSettings };
    const run = async (spec: string) => {
      process.exitCode = undefined;
      await runRewrapCommand(
        loadConfig('id-vault', definition, { DATABASE_URL: db.url, VAULT_KEKS: spec, LOG_LEVEL: 'silent' }),
      );
      const code = process.exitCode;
      process.exitCode = undefined;
      return code;
    };
    expect(await run(keys.spec('k2', 'k1'))).toBe(2);
    expect(await kekCounts()).toEqual({ k0: 1, k2: 2 });
    expect(await run(keys.spec('k2', 'k0'))).toBe(0);
    expect(await kekCounts()).toEqual({ k2: 3 });
  });
});
