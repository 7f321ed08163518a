import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { blobSettings, createBlobStore, type BlobConfig } from './blob-settings';
import { PostgresBlobStore } from './postgres-blob-store';
import { createS3Client, S3BlobStore } from './s3-blob-store';
import { loadConfig } from '@portico/config';
import type { DataSource } from 'typeorm';

const KEY = 'documents/1f0e2d3c-4b5a-4697-8877-665544332211/1/front.0a1b2c3d';

/** A real S3Client whose `send`, the one gateway boundary, is stubbed: nothing leaves the process. */
function stubbedClient(answer: (command: unknown) => unknown = () => ({})) {
  const client = new S3Client({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const send = jest
    .spyOn(client, 'send')
    .mockImplementation(async (command: unknown) => answer(command) as never);
  return { client, send };
}

describe('S3BlobStore', () => {
  it('puts the bytes with a SHA-256 checksum S3 verifies on arrival', async () => {
    const { client, send } = stubbedClient();
    const store = new S3BlobStore(client, { bucket: 'vault', keyPrefix: 'prod/' });
    const bytes = randomBytes(1024);
    await store.put(KEY, bytes);
    expect(send).toHaveBeenCalledTimes(1);
    const command = send.mock.calls[0][0];
    expect(command).toBeInstanceOf(PutObjectCommand);
    expect((command as PutObjectCommand).input).toEqual({
      Bucket: 'vault',
      Key: `prod/${KEY}`,
      Body: bytes,
      ContentLength: 1024,
      ContentType: 'application/octet-stream',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
    });
  });

  it('gets the bytes back with checksum validation on, and undefined for a missing key', async () => {
    const bytes = randomBytes(64);
    const { client, send } = stubbedClient((command) => {
      const key = (command as GetObjectCommand).input.Key;
      if (key === KEY) return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
      throw Object.assign(new Error('The specified key does not exist.'), {
        name: 'NoSuchKey',
        $metadata: { httpStatusCode: 404 },
      });
    });
    const store = new S3BlobStore(client, { bucket: 'vault' });
    expect(await store.get(KEY)).toEqual(bytes);
    expect(await store.get('documents/missing')).toBeUndefined();
    const command = send.mock.calls[0][0] as GetObjectCommand;
    expect(command).toBeInstanceOf(GetObjectCommand);
    expect(command.input).toEqual({ Bucket: 'vault', Key: KEY, ChecksumMode: 'ENABLED' });
  });

  it('lets other S3 failures through (access denied is not "missing")', async () => {
    const { client } = stubbedClient(() => {
      throw Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    });
    await expect(new S3BlobStore(client, { bucket: 'vault' }).get(KEY)).rejects.toThrow('Access Denied');
  });

  it('deletes by key', async () => {
    const { client, send } = stubbedClient();
    await new S3BlobStore(client, { bucket: 'vault' }).delete(KEY);
    const command = send.mock.calls[0][0] as DeleteObjectCommand;
    expect(command).toBeInstanceOf(DeleteObjectCommand);
    expect(command.input).toEqual({ Bucket: 'vault', Key: KEY });
  });

  it('lists keys written before a time, page by page, without the store prefix', async () => {
    const old = new Date('2026-11-01T00:00:00Z');
    const young = new Date('2026-12-01T23:00:00Z');
    const pages = [
      {
        Contents: [
          { Key: 'env-a/documents/1/1/front.a', LastModified: old },
          { Key: 'env-a/documents/2/1/front.b', LastModified: young },
        ],
        IsTruncated: true,
        NextContinuationToken: 'token-2',
      },
      { Contents: [{ Key: 'env-a/documents/3/1/back.c', LastModified: old }], IsTruncated: false },
    ];
    let call = 0;
    const { client, send } = stubbedClient(() => pages[call++]);
    const store = new S3BlobStore(client, { bucket: 'vault', keyPrefix: 'env-a' });
    const cutoff = new Date('2026-12-01T00:00:00Z');
    const first = await store.listKeys('documents/', cutoff);
    expect(first).toEqual({ keys: ['documents/1/1/front.a'], next: 'token-2' });
    const second = await store.listKeys('documents/', cutoff, first.next);
    expect(second).toEqual({ keys: ['documents/3/1/back.c'] });
    const inputs = send.mock.calls.map((c) => (c[0] as ListObjectsV2Command).input);
    expect(send.mock.calls[0][0]).toBeInstanceOf(ListObjectsV2Command);
    expect(inputs).toEqual([
      { Bucket: 'vault', Prefix: 'env-a/documents/', ContinuationToken: undefined, MaxKeys: 1000 },
      { Bucket: 'vault', Prefix: 'env-a/documents/', ContinuationToken: 'token-2', MaxKeys: 1000 },
    ]);
  });

  it('refuses keys that could escape their prefix, before calling S3', async () => {
    const { client, send } = stubbedClient();
    const store = new S3BlobStore(client, { bucket: 'vault' });
    await expect(store.put('documents/../other', Buffer.alloc(1))).rejects.toThrow(TypeError);
    await expect(store.get('/absolute')).rejects.toThrow(TypeError);
    expect(send).not.toHaveBeenCalled();
  });

  it('builds a client for an S3-compatible endpoint with path-style addressing', async () => {
    const client = createS3Client({
      bucket: 'vault',
      region: 'cn-north-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'minio', secretAccessKey: 'minio-secret' },
    });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('cn-north-1');
    const endpoint = await client.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9000');
    client.destroy();
  });
});

describe('blob settings', () => {
  const dataSource = {} as DataSource;
  const load = (env: Record<string, string>) => loadConfig('id-vault', blobSettings, env) as BlobConfig;

  it('defaults to the Postgres store', async () => {
    expect(await createBlobStore(load({}), dataSource)).toBeInstanceOf(PostgresBlobStore);
  });

  it('builds the S3 store from its settings, and refuses an S3 store without a bucket', async () => {
    const config = load({
      VAULT_BLOB_STORE: 's3',
      VAULT_S3_BUCKET: 'vault',
      VAULT_S3_ENDPOINT: 'http://127.0.0.1:9000',
      VAULT_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.s3ForcePathStyle).toBe(true);
    expect(await createBlobStore(config, dataSource)).toBeInstanceOf(S3BlobStore);
    await expect(createBlobStore(load({ VAULT_BLOB_STORE: 's3' }), dataSource)).rejects.toThrow(
      /VAULT_S3_BUCKET is required/,
    );
    await expect(
      createBlobStore(
        load({ VAULT_BLOB_STORE: 's3', VAULT_S3_BUCKET: 'v', VAULT_S3_ACCESS_KEY_ID: 'a' }),
        dataSource,
      ),
    ).rejects.toThrow(/set together/);
  });

  it('keeps static S3 credentials secret', () => {
    expect(blobSettings.s3SecretAccessKey.secret).toBe(true);
    expect(blobSettings.s3AccessKeyId.secret).toBe(true);
  });
});
