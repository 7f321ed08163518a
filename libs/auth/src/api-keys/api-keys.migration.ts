import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Default timestamp; a service may pass its own so the migration sorts where it belongs. */
export const API_KEYS_MIGRATION_TIMESTAMP = 1763856000000;

/**
 * A TypeORM migration class that creates `api_keys`. Services that accept property-system keys
 * list it among their own migrations: `migrations: [apiKeysMigration(), ...own]`.
 */
export function apiKeysMigration(
  timestamp: number = API_KEYS_MIGRATION_TIMESTAMP,
): new () => MigrationInterface {
  if (!Number.isInteger(timestamp) || String(timestamp).length !== 13) {
    throw new RangeError('migration timestamp must be a 13-digit millisecond epoch');
  }
  const name = `PorticoAuthApiKeys${timestamp}`;
  return class ApiKeysMigration implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE api_keys (
          key_id        text PRIMARY KEY,
          tenant_id     text NOT NULL,
          name          text NOT NULL,
          scopes        text[] NOT NULL DEFAULT '{}',
          environment   text NOT NULL CHECK (environment IN ('live', 'test')),
          secret_hash   bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
          pepper_id     text NOT NULL,
          created_at    timestamptz NOT NULL,
          created_by    text,
          expires_at    timestamptz,
          last_used_at  timestamptz,
          revoked_at    timestamptz
        )`);
      await queryRunner.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE api_keys`);
    }
  };
}
