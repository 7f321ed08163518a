import type { DataSource, EntityManager } from 'typeorm';
import type { StringHeaders } from '../headers/record-headers';
import { namedStatement, queryNamed, type NamedStatement } from '../persistence/named-statements';
import { planMethodsOffUntilCommit, WHOLE_TABLE_PLAN_METHODS } from '../persistence/planner-settings';
import { returnedRows } from '../persistence/returned-rows';
import { OUTBOX_LANE_COUNT, OUTBOX_LANE_LOCK_CLASS } from './outbox-lane';

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: StringHeaders;
  /** The row's lane (outboxLaneOf its key). */
  readonly lane: number;
  /** created_at as epoch milliseconds (cheaper to read than a timestamp, only used for latency). */
  readonly createdAtMs: number;
}

export type AfterPublish = 'delete' | 'mark';

/** The relay's claim statements (see claimBatch): by what happens to claimed rows, first or next claim. */
const CLAIMS: Record<AfterPublish, Record<'first' | 'next', NamedStatement>> = {
  delete: { first: claimStatement('delete', 'first'), next: claimStatement('delete', 'next') },
  mark: { first: claimStatement('mark', 'first'), next: claimStatement('mark', 'next') },
};

function claimStatement(mode: AfterPublish, claim: 'first' | 'next'): NamedStatement {
  const lanes =
    claim === 'next'
      ? '$3::smallint[]'
      : `ARRAY(SELECT lane FROM generate_series(0, ${OUTBOX_LANE_COUNT - 1}) AS lane
                  WHERE pg_try_advisory_xact_lock(${OUTBOX_LANE_LOCK_CLASS}, lane))::smallint[]`;
  const candidates = `SELECT id FROM outbox
          WHERE published_at IS NULL AND lane = ANY(${lanes}) AND id > $2::bigint
          ORDER BY id
          LIMIT $1
          FOR UPDATE SKIP LOCKED`;
  const returning = `RETURNING id, lane, topic, key, value, headers::text AS headers, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms`;
  return namedStatement(
    `outbox_claim_${mode}_${claim}_v1`,
    mode === 'delete'
      ? `DELETE FROM outbox WHERE id IN (${candidates}) ${returning}`
      : `UPDATE outbox SET published_at = now() WHERE id IN (${candidates}) ${returning}`,
  );
}

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
    return this.dataSource.transaction(async (manager) => {
      // the transaction claims and commits, nothing else: no need to put the settings back
      await planMethodsOffUntilCommit(manager, WHOLE_TABLE_PLAN_METHODS);
      return work(manager);
    });
  }

  /**
   * Claims the oldest unpublished rows of the lanes this transaction owns and, in the same
   * statement, deletes them or marks them published. Nothing is visible to others until the
   * transaction commits, which the relay does only after Kafka acknowledged the rows; a failed send
   * rolls the claim back. One statement per batch instead of select-then-delete halves the row
   * writes (and WAL) per event.
   *
   * The first claim of a transaction also takes the lanes: every lane no other relay holds, by a
   * transaction-scoped advisory try-lock inside the statement (one round trip fewer per relay
   * transaction than locking first). The row locks keep that safe: a row another relay deleted or
   * marked just before releasing its lane is skipped by FOR UPDATE's re-check even though this
   * statement's snapshot still shows it. `next` continues a transaction while its previous batch is
   * still being sent: rows after that batch's last id, of the lanes that batch held rows of (a lane
   * it had none of has no row before that id either, so leaving it to the next transaction keeps
   * every lane in id order).
   */
  async claimBatch(
    manager: EntityManager,
    limit: number,
    mode: AfterPublish,
    next?: { afterId: string; lanes: readonly number[] },
  ): Promise<OutboxRow[]> {
    const rows = await queryNamed<{
      id: string;
      lane: number;
      topic: string;
      key: string;
      value: Buffer;
      headers: string;
      created_ms: number;
    }>(
      manager,
      CLAIMS[mode][next ? 'next' : 'first'],
      next ? [limit, next.afterId, next.lanes] : [limit, '0'],
    );
    const claimed = rows.map((r) => ({
      id: r.id,
      lane: r.lane,
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
