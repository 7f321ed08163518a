import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OIDC login. An account signs in either with a password or through the configured OpenID provider
 * (never both): `oidc_issuer` + `oidc_subject` is the mapping from the provider's `sub` to the
 * person's platform subject, roles, tenant and properties (the rest of the row). Pending logins hold
 * state, nonce and PKCE verifier between the redirect and the callback, found by the SHA-256 of a
 * browser-bound cookie value and deleted when used (a callback counts once).
 */
export class OidcLogin1797100000002 implements MigrationInterface {
  name = 'OidcLogin1797100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE console_accounts ALTER COLUMN password_hash DROP NOT NULL`);
    await q.query(`ALTER TABLE console_accounts ADD COLUMN oidc_issuer text, ADD COLUMN oidc_subject text`);
    await q.query(`
      ALTER TABLE console_accounts
        ADD CONSTRAINT one_way_to_sign_in CHECK ((password_hash IS NULL) <> (oidc_subject IS NULL)),
        ADD CONSTRAINT oidc_link_complete CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX console_accounts_oidc ON console_accounts (oidc_issuer, oidc_subject)`,
    );
    await q.query(`
      CREATE TABLE console_oidc_logins (
        binding_hash bytea PRIMARY KEY,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX console_oidc_logins_expiry ON console_oidc_logins (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_oidc_logins');
    await q.query('DROP INDEX console_accounts_oidc');
    await q.query(
      'ALTER TABLE console_accounts DROP CONSTRAINT oidc_link_complete, DROP CONSTRAINT one_way_to_sign_in',
    );
    await q.query('ALTER TABLE console_accounts DROP COLUMN oidc_subject, DROP COLUMN oidc_issuer');
    await q.query('ALTER TABLE console_accounts ALTER COLUMN password_hash SET NOT NULL');
  }
}
