import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhooks: subscriptions per tenant (with their circuit breaker), their signing secrets
 * (sealed, versioned for rotation), one delivery per (subscription, event) with its attempts, and
 * notices (auto-disable). Response bodies are never stored: a subscriber's answer may contain
 * anything.
 */
export class Webhooks1796100000001 implements MigrationInterface {
  name = 'Webhooks1796100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
        enabled boolean NOT NULL DEFAULT true,
        -- 'manual' (PATCH enabled=false) or 'failing' (auto-disabled); null while enabled
        disabled_reason text NULL CHECK (disabled_reason IN ('manual', 'failing')),
        disabled_at timestamptz NULL,
        circuit_state text NOT NULL DEFAULT 'closed' CHECK (circuit_state IN ('closed', 'open', 'half_open')),
        -- open: when the probe may go; half_open: until when the probe's claim holds
        circuit_open_until timestamptz NULL,
        consecutive_failures integer NOT NULL DEFAULT 0,
        failing_since timestamptz NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, id)`);

    await q.query(`
      CREATE TABLE webhook_secrets (
        subscription_id text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        version integer NOT NULL,
        key_id text NOT NULL,
        nonce bytea NOT NULL,
        ciphertext bytea NOT NULL,
        auth_tag bytea NOT NULL,
        created_at timestamptz NOT NULL,
        -- null: the current secret; set on rotation (the end of the overlap)
        expires_at timestamptz NULL,
        PRIMARY KEY (subscription_id, version)
      )`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id text PRIMARY KEY,                       -- msg_…: the webhook-id, stable across retries and replays
        seq bigserial NOT NULL,                    -- fan-out order: per (subscription, ordering key) earlier first
        subscription_id text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        parcel_id text NOT NULL DEFAULT '',
        ordering_key text NOT NULL,                -- the parcel id, or the event id when there is none
        body text NOT NULL,                        -- the exact bytes that are signed
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,       -- every attempt ever made
        round_failures integer NOT NULL DEFAULT 0, -- failures since the last (re)queueing: position in the schedule
        next_attempt_at timestamptz NOT NULL,
        claimed_until timestamptz NULL,
        claim_token text NULL,
        last_status_code integer NULL,
        last_error_code text NULL,
        traceparent text NULL,
        tracestate text NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        completed_at timestamptz NULL,
        replays integer NOT NULL DEFAULT 0,
        UNIQUE (subscription_id, event_id)
      )`);
    // The claim: due pending deliveries; and the head rule: an earlier pending one of the same key.
    await q.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_head ON webhook_deliveries (subscription_id, ordering_key, seq) WHERE status = 'pending'`,
    );
    // The delivery log: newest first per subscription.
    await q.query(`CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id DESC)`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer NULL,
        error_code text NULL,
        succeeded boolean NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      )`);

    await q.query(`
      CREATE TABLE webhook_notices (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        subscription_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('subscription_auto_disabled')),
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX webhook_notices_tenant ON webhook_notices (tenant_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_notices`);
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_secrets`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
