import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery receipts (Alibaba Cloud SmsReport pushes, e-mail DSNs / bounces):
 *
 * - `message_receipts`: one row per receipt we acted on. `dedupe_key` makes a receipt the provider
 *   pushes again (SmsReport retries after 1, 5 and 10 minutes when our answer is late; relays send
 *   a bounce twice) record nothing new. Codes and ids only: the receipt's phone number, the DSN's
 *   recipient address and its diagnostic text are never stored.
 * - `message_attempts.receipt_*`: what the receipt said about the attempt the provider accepted, so
 *   the history shows "sent, then delivered" or "sent, then bounced" per attempt.
 * - `messages_provider_message_idx`: an SMS receipt names the provider's BizId; our own id (OutId)
 *   comes with it, but a receipt is matched on both, so the lookup by BizId needs an index.
 */
export class MessageReceipts1796800000001 implements MigrationInterface {
  name = 'MessageReceipts1796800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE message_receipts (
        id                   bigserial PRIMARY KEY,
        message_id           text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        attempt              integer NOT NULL,
        channel              text NOT NULL,
        source               text NOT NULL CHECK (source IN ('sms_report', 'email_dsn')),
        dedupe_key           text NOT NULL UNIQUE,
        outcome              text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
        code                 text NULL,
        -- what the receipt led to: delivered, failover, failed, recorded (the message had moved on)
        effect               text NOT NULL,
        reported_at          timestamptz NULL,
        received_at          timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX message_receipts_message_idx ON message_receipts (message_id)`);
    await q.query(`ALTER TABLE message_attempts ADD COLUMN receipt_outcome text NULL
                     CHECK (receipt_outcome IN ('delivered', 'failed'))`);
    await q.query(`ALTER TABLE message_attempts ADD COLUMN receipt_code text NULL`);
    await q.query(`ALTER TABLE message_attempts ADD COLUMN receipt_at timestamptz NULL`);
    await q.query(
      `CREATE INDEX messages_provider_message_idx ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_provider_message_idx`);
    await q.query(`ALTER TABLE message_attempts DROP COLUMN receipt_at`);
    await q.query(`ALTER TABLE message_attempts DROP COLUMN receipt_code`);
    await q.query(`ALTER TABLE message_attempts DROP COLUMN receipt_outcome`);
    await q.query(`DROP TABLE message_receipts`);
  }
}
