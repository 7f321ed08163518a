import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which property a parcel belongs to, from notification's RecipientResolved. A case often opens
 * before its recipient is resolved (and the two arrive on different topics, in either order), so
 * the vault keeps the resolution per parcel and applies it to the parcel's cases whenever both are
 * known: stewards' access is per property.
 */
export class ParcelProperties1796000000004 implements MigrationInterface {
  name = 'ParcelProperties1796000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vault_parcel_properties (
        tenant_id text NOT NULL,
        parcel_id text NOT NULL,
        property_id text NOT NULL,
        resolved_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, parcel_id)
      )`);
    await q.query(`CREATE INDEX vault_cases_parcel ON vault_cases (tenant_id, parcel_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX vault_cases_parcel');
    await q.query('DROP TABLE vault_parcel_properties');
  }
}
