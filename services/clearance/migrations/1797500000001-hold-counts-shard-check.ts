import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `clearance_hold_counts` is sharded by connection, and only the sums over shards are counts: a
 * parcel released on one connection and held for documents later on another adds resolved +1 to
 * one shard row and held +1 to the other (hold-counts-shards.int-spec.ts). The row check
 * `held <= resolved` refused that second write, so the tracking record failed until the DLQ.
 * Each shard row now only keeps its counts non-negative.
 */
export class HoldCountsShardCheck1797500000001 implements MigrationInterface {
  name = 'HoldCountsShardCheck1797500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clearance_hold_counts DROP CONSTRAINT clearance_hold_counts_check`);
    await q.query(
      `ALTER TABLE clearance_hold_counts ADD CONSTRAINT clearance_hold_counts_held_check CHECK (held >= 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clearance_hold_counts DROP CONSTRAINT clearance_hold_counts_held_check`);
    await q.query(
      `ALTER TABLE clearance_hold_counts ADD CONSTRAINT clearance_hold_counts_check CHECK (held >= 0 AND held <= resolved)`,
    );
  }
}
