import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The raw webhook archive and the de-duplication keys.
 *
 * `webhook_receipts` keeps every accepted (and duplicate) delivery byte for byte, including the
 * recipient's personal data, which exists nowhere else after intake. It is partitioned by UTC day
 * of `received_at` so retention is a cheap `DROP TABLE` of whole days instead of a slow DELETE.
 * Day partitions (`webhook_receipts_pYYYYMMDD`) are created ahead and dropped after the retention
 * by the service itself (webhooks/archive/webhook-archive.maintenance.ts, at start and hourly); the
 * DEFAULT partition only catches rows when that job has fallen behind, and the job moves them
 * into their day partition when it creates it.
 *
 * `webhook_dedupe` remembers (account, provider event id or body hash) for the dedupe window; its
 * primary key is what makes a concurrent retry of the same delivery a duplicate.
 */
export class WebhookIntake1795564800002 implements MigrationInterface {
  name = 'WebhookIntake1795564800002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_receipts (
        id                  uuid NOT NULL,
        received_at         timestamptz NOT NULL,
        carrier_account_id  text NOT NULL,
        provider            text NOT NULL,
        -- the Standard Webhooks / provider headers needed to re-verify or trace a delivery
        headers             jsonb NOT NULL,
        body                bytea NOT NULL,
        outcome             text NOT NULL CHECK (outcome IN ('accepted', 'duplicate')),
        dedupe_key          text NOT NULL,
        provider_event_id   text,
        parcel_ids          text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (received_at, id)
      ) PARTITION BY RANGE (received_at)`);
    await q.query('CREATE TABLE webhook_receipts_default PARTITION OF webhook_receipts DEFAULT');
    // Support looks deliveries up by account and time; the partition key covers time alone.
    await q.query(
      'CREATE INDEX webhook_receipts_account_idx ON webhook_receipts (carrier_account_id, received_at)',
    );

    await q.query(`
      CREATE TABLE webhook_dedupe (
        carrier_account_id  text NOT NULL,
        dedupe_key          text NOT NULL,
        first_seen_at       timestamptz NOT NULL,
        receipt_id          uuid NOT NULL,
        PRIMARY KEY (carrier_account_id, dedupe_key)
      )`);
    await q.query('CREATE INDEX webhook_dedupe_first_seen_idx ON webhook_dedupe (first_seen_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_dedupe');
    await q.query('DROP TABLE webhook_receipts');
  }
}
