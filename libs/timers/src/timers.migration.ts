import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fixed timestamp (2026-11-30) so every service records the same migration name; a service that
 * must order it among its own migrations passes another.
 */
export const TIMERS_MIGRATION_TIMESTAMP = 1_795_996_800_000;

export type MigrationClass = new () => MigrationInterface;

/**
 * The `timers` table in a service's database. Add the returned class to the service's TypeORM
 * `migrations` list. A row exists while the timer is pending; firing deletes it.
 */
export function createTimersMigration(timestamp: number = TIMERS_MIGRATION_TIMESTAMP): MigrationClass {
  if (!Number.isInteger(timestamp) || String(timestamp).length !== 13) {
    throw new Error('A TypeORM migration timestamp has 13 digits (epoch milliseconds)');
  }
  // TypeORM reads the timestamp from the last 13 characters of `name`.
  const name = `PorticoTimersTable${timestamp}`;
  return class PorticoTimersTable implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE timers (
          id            bigserial   PRIMARY KEY,
          -- idempotency: one pending timer per key. COLLATE "C" lets the unique index serve
          -- cancelByPrefix's LIKE 'prefix%' (keys are identifiers: byte order is all they need)
          key           text COLLATE "C" NOT NULL UNIQUE,
          kind          text        NOT NULL,
          due_at        timestamptz NOT NULL,
          payload       jsonb       NOT NULL DEFAULT '{}'::jsonb,
          -- failed attempts so far, and the last failure's message (never payload values)
          attempts      int         NOT NULL DEFAULT 0,
          last_error    text        NULL,
          -- reserved for a lease mode (handlers that must run outside the runner's transaction).
          -- The transactional runner claims with row locks (FOR UPDATE SKIP LOCKED) and never sets
          -- it; a row with claimed_until set is not pending for it.
          claimed_until timestamptz NULL,
          created_at    timestamptz NOT NULL DEFAULT now()
        )`);
      // The runner's claim: WHERE due_at <= $now AND claimed_until IS NULL ORDER BY due_at, id.
      await queryRunner.query(
        `CREATE INDEX timers_pending_due_idx ON timers (due_at, id) WHERE claimed_until IS NULL`,
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE IF EXISTS timers`);
    }
  };
}
