// The S3 blob store against a real S3 API (Adobe S3Mock from @portico/testing: a container with
// Docker, else its jar on the machine's Java), with the real AWS SDK: signing, SHA-256 checksums on
// write and read, ListObjectsV2 continuation tokens. The orphan sweep runs against it and real
// Postgres, since S3 is the store it exists for.
import { randomBytes, randomUUID } from 'node:crypto';
import { getTestS3, type TestS3 } from '@portico/testing/s3mock';
import { createVaultTestDatabase, type VaultTestDatabase } from '../crypto/test-support/vault-database';
import { DOCUMENT_BLOB_PREFIX, OrphanBlobSweeper } from './orphan-blob-sweeper';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';

const HOUR = 3_600_000;

describe('S3BlobStore (real S3 API: S3Mock)', () => {
  let s3: TestS3;
  let bucket: string;
  const clients: S3Client[] = [];

  beforeAll(async () => {
    s3 = await getTestS3();
    bucket = `vault-int-${randomUUID().slice(0, 8)}`;
    await s3.createBucket(bucket);
  }, 180_000);
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await s3?.stop();
  });

  function store(options: Partial<S3BlobStoreOptions> = {}): S3BlobStore {
    const all: S3BlobStoreOptions = {
      bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      ...options,
    };
    const client = createS3Client(all);
    clients.push(client);
    return new S3BlobStore(client, all);
  }
  const blobKey = (side = 'front') => `${DOCUMENT_BLOB_PREFIX}${randomUUID()}/1/${side}.${randomUUID()}`;

  it('stores, reads back and deletes bytes; a missing key reads as undefined and deletes quietly', async () => {
    const s = store({ keyPrefix: `put-${randomUUID().slice(0, 8)}` });
    const key = blobKey();
    const bytes = randomBytes(2 * 1024 * 1024 + 17);
    await s.put(key, bytes);
    expect((await s.get(key))?.equals(bytes)).toBe(true);

    await s.delete(key);
    expect(await s.get(key)).toBeUndefined();
    await expect(s.delete(key)).resolves.toBeUndefined();
    expect(await s.get(blobKey())).toBeUndefined();
  });

  it('keeps key prefixes apart: one bucket, two environments', async () => {
    const a = store({ keyPrefix: `env-a-${randomUUID().slice(0, 8)}/` });
    const b = store({ keyPrefix: `env-b-${randomUUID().slice(0, 8)}` });
    const key = blobKey();
    await a.put(key, Buffer.from('sealed in a'));
    expect(await b.get(key)).toBeUndefined();
    expect((await b.listKeys(DOCUMENT_BLOB_PREFIX, new Date(Date.now() + HOUR))).keys).toEqual([]);
    expect((await a.listKeys(DOCUMENT_BLOB_PREFIX, new Date(Date.now() + HOUR))).keys).toEqual([key]);
  });

  it('lists every page in key order, without the prefix, and only keys written before the cut-off', async () => {
    const s = store({ keyPrefix: `list-${randomUUID().slice(0, 8)}`, listPageSize: 2 });
    const keys = Array.from({ length: 5 }, () => blobKey()).sort();
    for (const key of keys) await s.put(key, randomBytes(64));
    await s.put('exports/not-a-document.json', Buffer.from('{}'));

    const later = new Date(Date.now() + HOUR);
    const pages: (readonly string[])[] = [];
    let after: string | undefined;
    do {
      const page = await s.listKeys(DOCUMENT_BLOB_PREFIX, later, after);
      pages.push(page.keys);
      after = page.next;
    } while (after);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(keys);

    // Written after the cut-off: not listed (the grace period that protects in-flight uploads).
    expect((await s.listKeys(DOCUMENT_BLOB_PREFIX, new Date(Date.now() - HOUR))).keys).toEqual([]);
  });

  describe('orphan sweep over S3 and real Postgres', () => {
    let db: VaultTestDatabase;
    beforeAll(async () => {
      db = await createVaultTestDatabase('vault_s3_orphans_int');
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('deletes unreferenced blobs past the grace period, across pages; referenced ones stay', async () => {
      const s = store({ keyPrefix: `sweep-${randomUUID().slice(0, 8)}`, listPageSize: 2 });
      const referenced = blobKey();
      const orphans = [blobKey(), blobKey(), blobKey()];
      // The order every S3 write follows: blob first, then the row that references it.
      await s.put(referenced, Buffer.from('sealed'));
      await db.dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO document_keys (document_id, version, kek_id, wrapped_key) VALUES ('doc_s3', 1, 'k1', '\\x00')`,
        );
        await m.query(
          `INSERT INTO document_blobs (document_id, version, side, blob_key, byte_length) VALUES ('doc_s3', 1, 'front', $1, 6)`,
          [referenced],
        );
      });
      for (const key of orphans) await s.put(key, Buffer.from('left by a rolled-back upload'));

      const sweeper = new OrphanBlobSweeper({ dataSource: db.dataSource, store: s, graceMs: HOUR });
      // Now, everything is younger than the grace period: nothing is a candidate yet.
      expect(await sweeper.sweep(new Date())).toEqual({ ran: true, scanned: 0, deleted: 0 });
      // S3 keeps the real write time, so "later" is the sweep run two hours from now.
      const later = new Date(Date.now() + 2 * HOUR);
      expect(await sweeper.sweep(later)).toEqual({ ran: true, scanned: 4, deleted: 3 });
      expect((await s.get(referenced))?.toString()).toBe('sealed');
      for (const key of orphans) expect(await s.get(key)).toBeUndefined();
      expect(await sweeper.sweep(later)).toEqual({ ran: true, scanned: 1, deleted: 0 });
    });
  });
});
