import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed password sign-ins counted per typed user name (a SHA-256 key, never the name itself), for
 * the sign-in throttle (src/sessions/login-throttle.ts).
 */
export class LoginFailures1797100000003 implements MigrationInterface {
  name = 'LoginFailures1797100000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_login_failures (
        key_hash bytea PRIMARY KEY,
        failures integer NOT NULL CHECK (failures > 0),
        last_failure_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX console_login_failures_age ON console_login_failures (last_failure_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_login_failures');
  }
}
