import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channel the outbox trigger notifies on commit, so an idle relay wakes at once. */
export const OUTBOX_NOTIFY_CHANNEL = 'portico_outbox';

/**
 * A fixed timestamp (2026-11-23) so every service records the same migration name; a service that
 * must order it among its own migrations passes another.
 */
export const MESSAGING_MIGRATION_TIMESTAMP = 1_795_392_000_000;

export type MigrationClass = new () => MigrationInterface;

/**
 * The tables @portico/messaging needs in a service's database: `outbox`, `inbox` and
 * `consumer_key_parking`. Add the returned class to the service's TypeORM `migrations` list.
 */
export function createMessagingMigration(timestamp: number = MESSAGING_MIGRATION_TIMESTAMP): MigrationClass {
  if (!Number.isInteger(timestamp) || String(timestamp).length !== 13) {
    throw new Error('A TypeORM migration timestamp has 13 digits (epoch milliseconds)');
  }
  // TypeORM reads the timestamp from the last 13 characters of `name`.
  const name = `PorticoMessagingTables${timestamp}`;
  return class PorticoMessagingTables implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE outbox (
          id           bigserial PRIMARY KEY,
          topic        text        NOT NULL,
          key          text        NOT NULL,
          -- hash of the key: relays claim whole lanes, so one key is never published by two
          -- relays at once (see outbox-lane.ts)
          lane         smallint    NOT NULL,
          value        bytea       NOT NULL,
          -- standard headers incl. traceparent/tracestate of the transaction that wrote the row
          headers      jsonb       NOT NULL,
          created_at   timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz NULL
        )`);
      await queryRunner.query(
        `CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`,
      );
      // Statement-level: one notification per inserting statement, and NOTIFY is delivered only on
      // commit, so the relay never wakes for rows it cannot see yet.
      await queryRunner.query(`
        CREATE FUNCTION portico_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${OUTBOX_NOTIFY_CHANNEL}', '');
          RETURN NULL;
        END $$`);
      await queryRunner.query(
        `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION portico_outbox_notify()`,
      );
      await queryRunner.query(`
        CREATE TABLE inbox (
          consumer     text        NOT NULL,
          event_id     uuid        NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, event_id)
        )`);
      await queryRunner.query(`CREATE INDEX inbox_processed_at_idx ON inbox (processed_at)`);
      // One row per key that has a record waiting in its retry topic. head_seq is the record
      // allowed to run now, next_seq the number the next parked record gets; the row disappears
      // when the queue drains. Kept in Postgres so a restart or rebalance keeps the order.
      await queryRunner.query(`
        CREATE TABLE consumer_key_parking (
          consumer      text        NOT NULL,
          topic         text        NOT NULL,
          key           text        NOT NULL,
          head_seq      bigint      NOT NULL,
          next_seq      bigint      NOT NULL,
          blocked_since timestamptz NOT NULL DEFAULT now(),
          updated_at    timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, topic, key),
          CHECK (head_seq < next_seq)
        )`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE IF EXISTS consumer_key_parking`);
      await queryRunner.query(`DROP TABLE IF EXISTS inbox`);
      await queryRunner.query(`DROP TRIGGER IF EXISTS outbox_notify ON outbox`);
      await queryRunner.query(`DROP FUNCTION IF EXISTS portico_outbox_notify()`);
      await queryRunner.query(`DROP TABLE IF EXISTS outbox`);
    }
  };
}
