import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of clearance: a marker table recording which service owns this database. Feature
 * migrations follow with later timestamps; the outbox/inbox tables come from libs/messaging's migrations.
 */
export class InitialSchema1795392000000 implements MigrationInterface {
  name = 'InitialSchema1795392000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE service_metadata (
        key text PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO service_metadata (key, value) VALUES ('owner', 'clearance')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE service_metadata');
  }
}
