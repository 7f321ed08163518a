import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertBlobKey, type BlobKeyPage, type BlobStore } from './blob-store';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** For S3-compatible stores (MinIO, Ceph RGW, OSS/COS S3 endpoints); AWS when undefined. */
  endpoint?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`: what most S3-compatible stores need. */
  forcePathStyle?: boolean;
  /** Prepended to every key, so one bucket can serve several environments. */
  keyPrefix?: string;
  /** Static credentials for S3-compatible stores; otherwise the SDK's default chain (IAM role, web identity...). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1,000); smaller only in tests of paging. */
  listPageSize?: number;
}

/** The subset of S3Client the store uses: the gateway boundary unit tests stub. */
export type S3Sender = Pick<S3Client, 'send'>;

export function createS3Client(options: S3BlobStoreOptions): S3Client {
  const config: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    // Retries are the SDK's (standard mode, 3 attempts); a blob write is idempotent per key.
    maxAttempts: 3,
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  return new S3Client(config);
}

/**
 * Encrypted content in S3 or an S3-compatible object store. It cannot join a database transaction:
 * the `manager` parameters are ignored and callers follow the ordering in BlobStore's comment
 * (blob first, then row; unique keys; orphan sweep).
 */
export class S3BlobStore implements BlobStore {
  readonly inDatabase = false;
  private readonly prefix: string;

  constructor(
    private readonly client: S3Sender,
    private readonly options: Pick<S3BlobStoreOptions, 'bucket' | 'keyPrefix' | 'listPageSize'>,
  ) {
    if (!options.bucket) throw new TypeError('S3BlobStore needs a bucket');
    this.prefix = options.keyPrefix ? `${options.keyPrefix.replace(/\/+$/, '')}/` : '';
  }

  static fromOptions(options: S3BlobStoreOptions): S3BlobStore {
    return new S3BlobStore(createS3Client(options), options);
  }

  /** Puts in parallel: an object store joins no transaction, and each key is new (BlobStore's rules). */
  async putMany(entries: ReadonlyArray<{ key: string; bytes: Buffer }>): Promise<void> {
    await Promise.all(entries.map((e) => this.put(e.key, e.bytes)));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    assertBlobKey(key);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.prefix + key,
        Body: bytes,
        ContentLength: bytes.length,
        ContentType: 'application/octet-stream',
        // Our own SHA-256 of the bytes: S3 recomputes it on arrival and refuses the write on a
        // mismatch, and keeps it, so GetObject can verify the download against the same digest.
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
      }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    assertBlobKey(key);
    try {
      const out = await this.client.send(
        // ChecksumMode ENABLED: the SDK validates the body against the stored checksum.
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.prefix + key,
          ChecksumMode: 'ENABLED',
        }),
      );
      if (!out.Body) return undefined;
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    // S3 answers 204 for a missing key too, which is what makes this idempotent.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.prefix + key }));
  }

  /** ListObjectsV2 (key order); LastModified is the write time S3 keeps for every object. */
  async listKeys(prefix: string, writtenBefore: Date, after?: string): Promise<BlobKeyPage> {
    const out = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.options.bucket,
        Prefix: this.prefix + prefix,
        ContinuationToken: after,
        MaxKeys: this.options.listPageSize ?? 1_000,
      }),
    );
    const keys = (out.Contents ?? [])
      .filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < writtenBefore.getTime())
      .map((o) => (o.Key as string).slice(this.prefix.length));
    return out.IsTruncated && out.NextContinuationToken
      ? { keys, next: out.NextContinuationToken }
      : { keys };
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}
