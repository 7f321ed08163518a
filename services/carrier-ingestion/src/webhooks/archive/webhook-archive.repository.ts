import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@portico/messaging';
import { DAY_MS, partitionDay, partitionName } from './archive-plan';

// Any constant works; it only has to be the same for every replica maintaining this database.
const MAINTENANCE_LOCK_KEY = 7_316_003_101;

/**
 * DDL and purges of the raw archive (see migrations/1795564800002-webhook-intake.ts). Partition
 * names come from archive-plan.ts, never from input, so interpolating them into DDL is safe.
 */
@Injectable()
export class WebhookArchiveRepository {
  /** One replica at a time; the others skip this round. Held until the transaction ends. */
  async tryLock(m: EntityManager): Promise<boolean> {
    const [row]: { locked: boolean }[] = await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      MAINTENANCE_LOCK_KEY,
    ]);
    return row?.locked === true;
  }

  /** Names of the day partitions attached to webhook_receipts. */
  async dayPartitions(m: EntityManager): Promise<string[]> {
    const rows: { name: string }[] = await m.query(
      `SELECT c.relname AS name
         FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'webhook_receipts'::regclass
        ORDER BY c.relname`,
    );
    return rows.map((r) => r.name).filter((name) => partitionDay(name) !== undefined);
  }

  /**
   * Creates the day's partition and attaches it. Rows of that day that landed in the default
   * partition meanwhile are moved into it first (ATTACH refuses while the default holds any).
   * The range CHECK added before ATTACH spares Postgres the validation scan, and ATTACH only takes
   * a SHARE UPDATE EXCLUSIVE lock on the parent, so intake keeps writing. Returns the rows moved.
   */
  async createDayPartition(m: EntityManager, day: Date): Promise<number> {
    const name = partitionName(day);
    const from = day.toISOString();
    const to = new Date(day.getTime() + DAY_MS).toISOString();
    await m.query(`CREATE TABLE "${name}" (LIKE webhook_receipts INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await m.query(
      `ALTER TABLE "${name}" ADD CONSTRAINT "${name}_range" CHECK (received_at >= '${from}' AND received_at < '${to}')`,
    );
    const moved = returnedRows<unknown>(
      await m.query(
        `WITH moved AS (
           DELETE FROM webhook_receipts_default WHERE received_at >= $1 AND received_at < $2 RETURNING *
         )
         INSERT INTO "${name}" SELECT * FROM moved RETURNING 1`,
        [from, to],
      ),
    ).length;
    await m.query(
      `ALTER TABLE webhook_receipts ATTACH PARTITION "${name}" FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
    // Its job is done once attached (the partition bound says the same).
    await m.query(`ALTER TABLE "${name}" DROP CONSTRAINT "${name}_range"`);
    return moved;
  }

  async dropDayPartition(m: EntityManager, name: string): Promise<void> {
    if (partitionDay(name) === undefined)
      throw new Error(`${name} is not a day partition of webhook_receipts`);
    await m.query(`DROP TABLE "${name}"`);
  }

  /** Deletes rows older than `cutoff` from the default partition (normally empty). */
  async purgeDefaultBefore(m: EntityManager, cutoff: Date): Promise<number> {
    const rows = returnedRows<unknown>(
      await m.query('DELETE FROM webhook_receipts_default WHERE received_at < $1 RETURNING 1', [cutoff]),
    );
    return rows.length;
  }

  /** Deletes up to `limit` dedupe keys first seen before `cutoff`; call until it returns less than `limit`. */
  async purgeDedupeBefore(m: EntityManager, cutoff: Date, limit: number): Promise<number> {
    const rows = returnedRows<unknown>(
      await m.query(
        `DELETE FROM webhook_dedupe
          WHERE ctid IN (SELECT ctid FROM webhook_dedupe WHERE first_seen_at < $1 LIMIT $2)
          RETURNING 1`,
        [cutoff, limit],
      ),
    );
    return rows.length;
  }
}
