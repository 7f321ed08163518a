import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable message queue: one `messages` row per message (its id stays the same across
 * attempts and failover), one `message_attempts` row per attempt, and the steward console's web
 * push subscriptions.
 *
 * A message row never holds a rendered body, an address or an upload link: only the template
 * reference and the ids/facts it is rendered from. Names and addresses are read from the directory,
 * the upload link from id-vault, at send time, and exist only in memory while the message is sent.
 */
export class Messages1796200000001 implements MigrationInterface {
  name = 'Messages1796200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE messages (
        id                   text PRIMARY KEY,
        -- one message per purpose: a redelivered case event finds its message already there
        dedupe_key           text NOT NULL UNIQUE,
        tenant_id            text NOT NULL,
        property_id          text NOT NULL,
        task_id              text NULL,
        case_id              text NULL,
        parcel_id            text NOT NULL,
        carrier_code         text NOT NULL DEFAULT '',
        tracking_number      text NOT NULL DEFAULT '',
        recipient_role       text NOT NULL CHECK (recipient_role IN ('resident', 'steward', 'manager', 'operations')),
        recipient_id         text NOT NULL,
        template_id          text NOT NULL,
        template_version     integer NOT NULL,
        language             text NOT NULL CHECK (language IN ('zh', 'en')),
        -- what the template is rendered from: ids, codes and times only (never a name or address)
        variables            jsonb NOT NULL DEFAULT '{}',
        -- channels in the order they are tried; channel_index points at the current one
        channel_plan         text[] NOT NULL CHECK (cardinality(channel_plan) > 0),
        channel_index        integer NOT NULL DEFAULT 0,
        -- attempts on the current channel, and over the message's whole life (events' attempt number)
        channel_attempt      integer NOT NULL DEFAULT 0,
        attempt              integer NOT NULL DEFAULT 0,
        status               text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
        next_attempt_at      timestamptz NOT NULL,
        -- a worker holds a 'sending' message until then; after it, another worker may take it over
        lease_until          timestamptz NULL,
        last_error_code      text NULL,
        provider_message_id  text NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        finished_at          timestamptz NULL
      )`);
    await q.query(
      `CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status IN ('queued', 'sending')`,
    );
    await q.query(`CREATE INDEX messages_task_idx ON messages (task_id)`);
    await q.query(`
      CREATE TABLE message_attempts (
        id                   bigserial PRIMARY KEY,
        message_id           text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        attempt              integer NOT NULL,
        channel              text NOT NULL,
        -- denormalised so the per-recipient rate limit is one index range scan
        recipient_key        text NOT NULL,
        started_at           timestamptz NOT NULL,
        finished_at          timestamptz NULL,
        outcome              text NOT NULL DEFAULT 'in_flight'
          CHECK (outcome IN ('in_flight', 'sent', 'failed', 'abandoned')),
        error_code           text NULL,
        retryable            boolean NULL,
        provider_message_id  text NULL,
        UNIQUE (message_id, attempt)
      )`);
    await q.query(
      `CREATE INDEX message_attempts_recipient_idx ON message_attempts (recipient_key, started_at)`,
    );
    await q.query(`
      CREATE TABLE push_subscriptions (
        id          text PRIMARY KEY,
        staff_id    text NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
        -- the browser's push service URL and keys: as sensitive as an address, never logged
        endpoint    text NOT NULL UNIQUE,
        p256dh      text NOT NULL,
        auth        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX push_subscriptions_staff_idx ON push_subscriptions (staff_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE push_subscriptions');
    await q.query('DROP TABLE message_attempts');
    await q.query('DROP TABLE messages');
  }
}
