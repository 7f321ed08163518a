import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sliding sessions and the audit of account status changes.
 * - `max_expires_at`: the absolute end of a session; `expires_at` becomes its current (idle) end,
 *   pushed forward on use up to `max_expires_at`. Nullable on purpose: pods of the previous version
 *   keep inserting sessions without it during a rollout (those keep their fixed end).
 * - `console_account_audit`: who disabled or re-enabled which account, why (a code, no free text)
 *   and how many sessions that ended. Append-only for the console (no UPDATE or DELETE in code).
 */
export class SessionRenewalAccountAudit1797100000004 implements MigrationInterface {
  name = 'SessionRenewalAccountAudit1797100000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE console_sessions ADD COLUMN max_expires_at timestamptz`);
    await q.query(`UPDATE console_sessions SET max_expires_at = expires_at WHERE max_expires_at IS NULL`);
    await q.query(`
      CREATE TABLE console_account_audit (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES console_accounts (id),
        action text NOT NULL CHECK (action IN ('disabled', 'enabled')),
        reason text NOT NULL,
        actor text NOT NULL,
        sessions_ended integer NOT NULL CHECK (sessions_ended >= 0),
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX console_account_audit_account ON console_account_audit (account_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_account_audit');
    await q.query('ALTER TABLE console_sessions DROP COLUMN max_expires_at');
  }
}
