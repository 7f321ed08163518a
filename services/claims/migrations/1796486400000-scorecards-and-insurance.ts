import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scorecards and insurance coverage.
 *
 * Scorecards group the parcels first seen in a period by carrier and lane (origin, destination):
 * the covering indexes let both the per-tenant API and the cross-tenant gauges count them with an
 * index-only scan instead of reading the table (1,000,000 rows and more). The old
 * (tenant_id, first_seen_at) index is replaced by its covering version, not kept beside it.
 *
 * Insurance coverage recorded through the API (insurer, policy reference, coverage type, who and
 * when) sits beside the insured amount the projection already keeps; carrier-provided insurance
 * fills only the amount. No personal data: the insurer is a code, the policy reference an
 * identifier with a restricted alphabet (see insurance.ts).
 */
export class ScorecardsAndInsurance1796486400000 implements MigrationInterface {
  name = 'ScorecardsAndInsurance1796486400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX claims_parcels_seen_idx`);
    await q.query(
      `CREATE INDEX claims_parcels_scorecard_tenant_idx ON claims_parcels (tenant_id, first_seen_at)
         INCLUDE (carrier_code, origin_country_code, destination_country_code)`,
    );
    await q.query(
      `CREATE INDEX claims_parcels_scorecard_all_idx ON claims_parcels (first_seen_at)
         INCLUDE (carrier_code, origin_country_code, destination_country_code)`,
    );
    await q.query(`
      ALTER TABLE claims_parcels
        ADD COLUMN insurer               text NULL,
        ADD COLUMN insurance_policy_ref  text NULL,
        ADD COLUMN insurance_coverage    text NULL
          CHECK (insurance_coverage IN ('loss', 'damage', 'loss_and_damage')),
        ADD COLUMN insurance_updated_at  timestamptz NULL,
        ADD COLUMN insurance_updated_by  text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE claims_parcels
        DROP COLUMN insurer, DROP COLUMN insurance_policy_ref, DROP COLUMN insurance_coverage,
        DROP COLUMN insurance_updated_at, DROP COLUMN insurance_updated_by`);
    await q.query(`DROP INDEX claims_parcels_scorecard_all_idx`);
    await q.query(`DROP INDEX claims_parcels_scorecard_tenant_idx`);
    await q.query(`CREATE INDEX claims_parcels_seen_idx ON claims_parcels (tenant_id, first_seen_at)`);
  }
}
