import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The vault's audit log: append-only and hash-chained (see src/audit/audit-chain.ts).
 *
 * Append-only is enforced by the database, not only by the code: a statement trigger refuses every
 * UPDATE, DELETE and TRUNCATE, whoever runs it. The trigger is not a defence against the table's
 * owner or a superuser, who can disable it; the hash chain and the signed heads exported outside the
 * database are what make such changes visible. In production the service should therefore connect
 * as a role that does not own the table (migrations run as the owner) and has only SELECT and INSERT
 * on it. Purging old audit rows is deliberately not possible: there is no exception path.
 *
 * details holds ids, reason codes and verdicts only (checked by the application before insert);
 * names, ID numbers, phone numbers and images never enter this table.
 */
export class AuditLog1796000000002 implements MigrationInterface {
  name = 'AuditLog1796000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        seq          bigint      PRIMARY KEY CHECK (seq > 0),
        occurred_at  timestamptz NOT NULL CHECK (occurred_at = date_trunc('milliseconds', occurred_at)),
        actor_kind   text        NOT NULL,
        actor_id     text        NOT NULL,
        action       text        NOT NULL,
        purpose      text        NOT NULL,
        subject_type text        NULL,
        subject_id   text        NULL,
        case_id      text        NULL,
        tenant_id    text        NULL,
        details      jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
        prev_hash    bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
        hash         bytea       NOT NULL CHECK (octet_length(hash) = 32)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'audit entries are never changed or removed; append a new entry instead';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
    await queryRunner.query(`COMMENT ON TABLE audit_log IS
      'id-vault audit log: append-only (trigger audit_log_append_only), hash-chained; ids, codes and verdicts only, no personal data'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_log');
    await queryRunner.query('DROP FUNCTION audit_log_refuse_change()');
  }
}
