import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Carrier accounts: one per webhook endpoint (`POST /webhooks/:carrierAccountId`). `provider` names
 * the adapter that verifies and maps the account's webhooks; it is plain text checked by the
 * application against its adapter registry, so a new provider (AfterShip, EasyPost, 17TRACK, SF …)
 * is a new adapter, not a schema change. `provider_settings` holds what such an adapter needs per
 * account besides its secret (never a secret itself).
 *
 * Secrets are sealed with AES-256-GCM under CARRIER_SECRETS_KEY (`key_id` names the key; associated
 * data binds account id and version, so a sealed secret cannot be moved to another row). A rotation
 * adds version n+1 and retires everything below n, so at most two are active; rotations lock the
 * account row, which makes the version numbers and that rule race-free.
 */
export class CarrierAccounts1795564800001 implements MigrationInterface {
  name = 'CarrierAccounts1795564800001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE carrier_accounts (
        id                 text PRIMARY KEY CHECK (id ~ '^ca_[0-9a-f]{32}$'),
        tenant_id          text NOT NULL CHECK (length(tenant_id) BETWEEN 1 AND 64),
        provider           text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9-]{1,31}$'),
        carrier_code       text NOT NULL CHECK (carrier_code ~ '^[a-z0-9][a-z0-9._-]{0,39}$'),
        display_name       text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        provider_settings  jsonb NOT NULL DEFAULT '{}',
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        disabled_at        timestamptz,
        CHECK ((status = 'disabled') = (disabled_at IS NOT NULL))
      )`);
    await q.query('CREATE INDEX carrier_accounts_tenant_idx ON carrier_accounts (tenant_id)');

    await q.query(`
      CREATE TABLE carrier_account_secrets (
        account_id  text NOT NULL REFERENCES carrier_accounts (id),
        version     integer NOT NULL CHECK (version > 0),
        key_id      text NOT NULL,
        nonce       bytea NOT NULL CHECK (length(nonce) = 12),
        ciphertext  bytea NOT NULL,
        auth_tag    bytea NOT NULL CHECK (length(auth_tag) = 16),
        created_at  timestamptz NOT NULL DEFAULT now(),
        retired_at  timestamptz,
        PRIMARY KEY (account_id, version)
      )`);
    // The webhook path reads the active secrets of one account on every request.
    await q.query(
      'CREATE INDEX carrier_account_secrets_active_idx ON carrier_account_secrets (account_id) WHERE retired_at IS NULL',
    );

    await q.query(`
      CREATE TABLE carrier_account_audit (
        id             bigserial PRIMARY KEY,
        account_id     text NOT NULL REFERENCES carrier_accounts (id),
        action         text NOT NULL CHECK (action IN ('created', 'secret_rotated', 'disabled')),
        actor_kind     text NOT NULL,
        actor_subject  text NOT NULL,
        -- facts about the change (versions, previous status); never a secret
        details        jsonb NOT NULL DEFAULT '{}',
        at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX carrier_account_audit_account_idx ON carrier_account_audit (account_id, at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE carrier_account_audit');
    await q.query('DROP TABLE carrier_account_secrets');
    await q.query('DROP TABLE carrier_accounts');
  }
}
