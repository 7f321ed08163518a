import { setting, type ConfigOf } from '@portico/config';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { BlobStore } from './blob-store';
import { PostgresBlobStore } from './postgres-blob-store';

const optionalText = z
  .string()
  .optional()
  .or(z.literal('').transform(() => undefined));

/** Where encrypted content is stored; spread into id-vault's `settings`. */
export const blobSettings = {
  blobStore: setting(
    'VAULT_BLOB_STORE',
    z.enum(['postgres', 's3']).default('postgres'),
    'where encrypted document content is stored: postgres (vault_blobs table) or s3',
  ),
  s3Bucket: setting(
    'VAULT_S3_BUCKET',
    optionalText,
    'bucket of encrypted document content (VAULT_BLOB_STORE=s3)',
  ),
  s3Region: setting('VAULT_S3_REGION', z.string().min(1).default('us-east-1'), 'region of the bucket'),
  s3Endpoint: setting(
    'VAULT_S3_ENDPOINT',
    z
      .string()
      .url()
      .optional()
      .or(z.literal('').transform(() => undefined)),
    'endpoint of an S3-compatible store (MinIO, Ceph...); empty for AWS S3',
  ),
  s3ForcePathStyle: setting(
    'VAULT_S3_FORCE_PATH_STYLE',
    z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    'path-style bucket addressing, which most S3-compatible stores need',
  ),
  s3KeyPrefix: setting('VAULT_S3_KEY_PREFIX', optionalText, 'prefix of every object key in the bucket'),
  s3AccessKeyId: setting(
    'VAULT_S3_ACCESS_KEY_ID',
    optionalText,
    'static access key id; empty for the default AWS credential chain',
    {
      secret: true,
    },
  ),
  s3SecretAccessKey: setting(
    'VAULT_S3_SECRET_ACCESS_KEY',
    optionalText,
    'static secret access key; empty for the default AWS credential chain',
    { secret: true },
  ),
};

export type BlobConfig = ConfigOf<typeof blobSettings>;

/**
 * The configured store. Throws at start when S3 is chosen without what it needs. The S3 module (and
 * the AWS SDK behind it, ~15 MB of resident memory) is loaded only when S3 is the store.
 */
export async function createBlobStore(config: BlobConfig, dataSource: DataSource): Promise<BlobStore> {
  if (config.blobStore === 'postgres') return new PostgresBlobStore(dataSource);
  const { S3BlobStore } = await import('./s3-blob-store.js');
  if (!config.s3Bucket) throw new Error('VAULT_S3_BUCKET is required when VAULT_BLOB_STORE=s3');
  if (Boolean(config.s3AccessKeyId) !== Boolean(config.s3SecretAccessKey)) {
    throw new Error('VAULT_S3_ACCESS_KEY_ID and VAULT_S3_SECRET_ACCESS_KEY are set together or not at all');
  }
  return S3BlobStore.fromOptions({
    bucket: config.s3Bucket,
    region: config.s3Region,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle,
    keyPrefix: config.s3KeyPrefix,
    credentials:
      config.s3AccessKeyId && config.s3SecretAccessKey
        ? { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey }
        : undefined,
  });
}
