import type { Counter } from '@portico/observability';
import type { DataSource } from 'typeorm';
import type { BlobStore } from './blob-store';

/** Where sealed document content lives in every store (EncryptedDocumentStore writes under it). */
export const DOCUMENT_BLOB_PREFIX = 'documents/';

/** Any constant: one sweeper at a time across instances (a Postgres advisory lock). */
const SWEEP_LOCK = 0x5641_554c; // "VAUL"

export interface SweepReport {
  /** False when another instance held the sweep lock, so nothing was looked at. */
  readonly ran: boolean;
  readonly scanned: number;
  readonly deleted: number;
}

/**
 * Deletes blobs no `document_blobs` row references. They come from a store that cannot join the
 * database transaction (S3): the content is written first, the row after, and a transaction that
 * rolled back leaves its blob behind. Only blobs older than the grace period are candidates — a
 * younger one may belong to a transaction still in flight — and a candidate is checked against the
 * table at delete time, page by page. What an orphan holds is ciphertext whose data key was never
 * committed: unreadable, but it should not linger. Idempotent; concurrent instances skip a sweep
 * that is already running.
 */
export class OrphanBlobSweeper {
  constructor(
    private readonly options: {
      dataSource: DataSource;
      store: BlobStore;
      graceMs: number;
      deleted?: Counter;
    },
  ) {}

  async sweep(now: Date): Promise<SweepReport> {
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        SWEEP_LOCK,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return { ran: false, scanned: 0, deleted: 0 };
      try {
        return { ran: true, ...(await this.sweepPages(new Date(now.getTime() - this.options.graceMs))) };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [SWEEP_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async sweepPages(writtenBefore: Date): Promise<{ scanned: number; deleted: number }> {
    let scanned = 0;
    let deleted = 0;
    let after: string | undefined;
    do {
      const page = await this.options.store.listKeys(DOCUMENT_BLOB_PREFIX, writtenBefore, after);
      scanned += page.keys.length;
      for (const key of await this.unreferenced(page.keys)) {
        await this.options.store.delete(key);
        this.options.deleted?.inc();
        deleted += 1;
      }
      after = page.next;
    } while (after);
    return { scanned, deleted };
  }

  private async unreferenced(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows: { blob_key: string }[] = await this.options.dataSource.query(
      `SELECT blob_key FROM document_blobs WHERE blob_key = ANY($1::text[])`,
      [keys],
    );
    const referenced = new Set(rows.map((r) => r.blob_key));
    return keys.filter((k) => !referenced.has(k));
  }
}
