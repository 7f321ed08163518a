import type { DataSource, EntityManager } from 'typeorm';
import type { StringHeaders } from '../headers/record-headers';
import { planMethodsOffUntilCommit } from '../persistence/planner-settings';
import { returnedRows } from '../persistence/returned-rows';
import { OUTBOX_LANE_COUNT, OUTBOX_LANE_LOCK_CLASS } from './outbox-lane';

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: StringHeaders;
  /** created_at as epoch milliseconds (cheaper to read than a timestamp, only used for latency). */
  readonly createdAtMs: number;
}

export type AfterPublish = 'delete' | 'mark';

/** All SQL the relay runs, each statement taking the transaction it is given. */
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A relay transaction, with its claims held to an index scan of outbox_unpublished_idx in id order
   * that stops at the LIMIT. A queue table's statistics are always stale (it is empty at one
   * ANALYZE and holds thousands of rows at the next), and with too few rows in them Postgres plans
   * the claim as a bitmap scan: it collects every index entry, heap-visits and sorts them all, and
   * the entries of rows deleted since the last VACUUM count too. Published rows are deleted at the
   * rate of the intake, so until autovacuum comes round (a minute at best, never where it is off)
   * every claim read the whole backlog of dead rows: 14 % of the CPU in `npm run bench:ingest`,
   * growing with the run. An index scan also marks the dead entries it meets as killed, so the next
   * claim steps over them almost for free.
   */
  inClaimTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      // the transaction claims and commits, nothing else: no need to put the settings back
      await planMethodsOffUntilCommit(manager, ['bitmapscan', 'seqscan']);
      return work(manager);
    });
  }

  /** Lanes this transaction now owns until it ends; lanes another relay holds are skipped. */
  async lockFreeLanes(manager: EntityManager): Promise<number[]> {
    const rows: Array<{ lane: number }> = await manager.query(
      `SELECT lane FROM generate_series(0, $1::int - 1) AS lane WHERE pg_try_advisory_xact_lock($2::int, lane)`,
      [OUTBOX_LANE_COUNT, OUTBOX_LANE_LOCK_CLASS],
    );
    return rows.map((r) => r.lane);
  }

  /**
   * Claims the oldest unpublished rows of the given lanes (after `afterId`) and, in the same
   * statement, deletes them or marks them published. Nothing is visible to others until the
   * transaction commits, which the relay does only after Kafka acknowledged the rows; a failed send
   * rolls the claim back. One statement per batch instead of select-then-delete halves the row
   * writes (and WAL) per event. `afterId` lets one transaction claim its next batch while the
   * previous one is still being sent.
   */
  async claimBatch(
    manager: EntityManager,
    lanes: number[],
    limit: number,
    mode: AfterPublish,
    afterId = '0',
  ): Promise<OutboxRow[]> {
    const candidates = `SELECT id FROM outbox
          WHERE published_at IS NULL AND lane = ANY($1::smallint[]) AND id > $3::bigint
          ORDER BY id
          LIMIT $2
          FOR UPDATE SKIP LOCKED`;
    const returning = `RETURNING id, topic, key, value, headers::text AS headers, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms`;
    const rows = returnedRows<{
      id: string;
      topic: string;
      key: string;
      value: Buffer;
      headers: string;
      created_ms: number;
    }>(
      await manager.query(
        mode === 'delete'
          ? `DELETE FROM outbox WHERE id IN (${candidates}) ${returning}`
          : `UPDATE outbox SET published_at = now() WHERE id IN (${candidates}) ${returning}`,
        [lanes, limit, afterId],
      ),
    );
    const claimed = rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      key: r.key,
      value: r.value,
      // text + JSON.parse is measurably cheaper than the driver's jsonb path at 1,000 rows
      headers: JSON.parse(r.headers) as StringHeaders,
      createdAtMs: r.created_ms,
    }));
    // RETURNING has no defined order; the id order is the publishing order
    return claimed.sort((a, b) => compareIds(a.id, b.id));
  }

  /** Drops rows kept after publishing ('mark' mode) once they are older than the retention. */
  async purgePublished(olderThan: Date, limit = 10_000): Promise<number> {
    const result: unknown = await this.dataSource.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE published_at IS NOT NULL AND published_at < $1 LIMIT $2)
       RETURNING id`,
      [olderThan, limit],
    );
    return returnedRows(result).length;
  }

  async countBacklog(): Promise<number> {
    const [row]: Array<{ n: string }> = await this.dataSource.query(
      `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`,
    );
    return Number(row?.n ?? 0);
  }
}

/** bigserial ids arrive as decimal strings. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
