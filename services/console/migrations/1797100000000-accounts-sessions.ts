import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Local accounts (the demo's login adapter) and sessions. A session row is found by the SHA-256 of
 * the cookie value, never the value itself, so a database dump signs nobody in. The CSRF token is
 * the synchronizer token of that session.
 */
export class AccountsSessions1797100000000 implements MigrationInterface {
  name = 'AccountsSessions1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_metadata (key text PRIMARY KEY, value text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO service_metadata (key, value) VALUES ('owner', 'console')`);
    await q.query(`
      CREATE TABLE console_accounts (
        id text PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        subject text NOT NULL,
        roles text[] NOT NULL,
        tenant_id text,
        property_ids text[] NOT NULL DEFAULT '{}',
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT username_is_lowercase CHECK (username = lower(username))
      )`);
    await q.query(`
      CREATE TABLE console_sessions (
        id text PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        account_id text NOT NULL REFERENCES console_accounts (id),
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX console_sessions_account ON console_sessions (account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_sessions');
    await q.query('DROP TABLE console_accounts');
    await q.query('DROP TABLE service_metadata');
  }
}
