import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Residents' one-time evidence links (`/e/<token>`). Only the SHA-256 of the link's secret is kept
 * (a database dump opens no page); a link ends when it expires, is revoked (by staff, or by a newer
 * link for the same claim), or the resident finishes. Items added through a link are uploaded by
 * the role `resident`, `uploaded_by` being the link id (the resident has no account, and a name
 * would be personal data).
 */
export class ResidentEvidenceLinks1796500000000 implements MigrationInterface {
  name = 'ResidentEvidenceLinks1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claims_evidence_links (
        id           text PRIMARY KEY,
        tenant_id    text NOT NULL,
        claim_id     text NOT NULL REFERENCES claims_claims (id),
        token_hash   bytea NOT NULL UNIQUE,
        language     text NOT NULL CHECK (language IN ('zh', 'en')),
        max_uploads  integer NOT NULL CHECK (max_uploads > 0),
        uploads      integer NOT NULL DEFAULT 0 CHECK (uploads >= 0),
        expires_at   timestamptz NOT NULL,
        issued_by    text NOT NULL,
        created_at   timestamptz NOT NULL,
        finished_at  timestamptz NULL,
        revoked_at   timestamptz NULL,
        revoked_by   text NULL
      )`);
    await q.query(
      `CREATE INDEX claims_evidence_links_claim_idx ON claims_evidence_links (tenant_id, claim_id, created_at)`,
    );
    await q.query(
      `ALTER TABLE claims_evidence_items DROP CONSTRAINT claims_evidence_items_uploaded_by_role_check`,
    );
    await q.query(`
      ALTER TABLE claims_evidence_items ADD CONSTRAINT claims_evidence_items_uploaded_by_role_check
        CHECK (uploaded_by_role IN ('steward', 'manager', 'operator', 'property_system', 'service', 'resident'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM claims_evidence_items WHERE uploaded_by_role = 'resident'`);
    await q.query(
      `ALTER TABLE claims_evidence_items DROP CONSTRAINT claims_evidence_items_uploaded_by_role_check`,
    );
    await q.query(`
      ALTER TABLE claims_evidence_items ADD CONSTRAINT claims_evidence_items_uploaded_by_role_check
        CHECK (uploaded_by_role IN ('steward', 'manager', 'operator', 'property_system', 'service'))`);
    await q.query(`DROP TABLE claims_evidence_links`);
  }
}
