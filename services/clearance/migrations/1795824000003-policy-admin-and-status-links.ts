import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The policy API's audit trail and the residents' status links.
 *
 * - `clearance_policy_changes`: one row per create / replace / deactivate of a requirement policy,
 *   written in the same transaction as the policy row, with who did it and full before/after
 *   snapshots (policies hold no personal data, so the snapshots may be kept forever).
 * - `clearance_status_links`: bearer links a resident uses to read a case's progress. Only the
 *   SHA-256 of the token is stored: a leaked table or backup cannot be turned back into working
 *   links, and lookups by hash never compare secrets byte by byte in application code.
 */
export class PolicyAdminAndStatusLinks1795824000003 implements MigrationInterface {
  name = 'PolicyAdminAndStatusLinks1795824000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clearance_policy_changes (
        id              bigserial PRIMARY KEY,
        -- no cascade: policies are deactivated, never deleted, and their history must outlive edits
        policy_id       text NOT NULL REFERENCES clearance_policies (id),
        -- the policy's tenant (NULL: a platform default), so a tenant's history is one index scan
        tenant_id       text NULL,
        action          text NOT NULL CHECK (action IN ('created', 'replaced', 'deactivated')),
        -- the policy's version after the change
        version         integer NOT NULL,
        actor_kind      text NOT NULL CHECK (actor_kind IN ('person', 'service')),
        -- the identity provider's subject (opaque id) or the calling service's name
        actor_id        text NOT NULL,
        actor_roles     text[] NOT NULL DEFAULT '{}',
        changed_fields  text[] NOT NULL,
        before          jsonb NULL,
        after           jsonb NOT NULL,
        at              timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX clearance_policy_changes_policy_idx ON clearance_policy_changes (policy_id, id)`,
    );

    await q.query(`
      CREATE TABLE clearance_status_links (
        id              text PRIMARY KEY,
        case_id         text NOT NULL REFERENCES clearance_cases (id) ON DELETE CASCADE,
        tenant_id       text NOT NULL,
        -- SHA-256 of the 256-bit random token; the token itself is returned once and never stored
        token_hash      bytea NOT NULL,
        created_at      timestamptz NOT NULL,
        expires_at      timestamptz NOT NULL,
        revoked_at      timestamptz NULL,
        created_by      text NOT NULL,
        revoked_by      text NULL,
        CHECK (expires_at > created_at),
        CHECK (octet_length(token_hash) = 32)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX clearance_status_links_token_idx ON clearance_status_links (token_hash)`,
    );
    await q.query(`CREATE INDEX clearance_status_links_case_idx ON clearance_status_links (case_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE clearance_status_links');
    await q.query('DROP TABLE clearance_policy_changes');
  }
}
