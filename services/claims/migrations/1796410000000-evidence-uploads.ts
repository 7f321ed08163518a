import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence uploads (issue 8, item 4). `claims_evidence_items` existed empty since the claims
 * migration; an upload now also records its tenant (every read is tenant-scoped, not only through
 * the claim), the role that uploaded it (never a name), what the photo shows, and what the upload
 * was before re-encoding. Value-proof PDFs have no pixel size. Bundles keep the manifest's exact
 * JSON text (jsonb reorders keys and drops whitespace, so the hash on ClaimFiled could not be
 * recomputed from it) and the SHA-256 of their rendered PDF (the manifest never depends on the PDF).
 */
export class EvidenceUploads1796410000000 implements MigrationInterface {
  name = 'EvidenceUploads1796410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE claims_evidence_items
        ADD COLUMN tenant_id         text NOT NULL,
        ADD COLUMN uploaded_by_role  text NOT NULL
          CHECK (uploaded_by_role IN ('steward', 'manager', 'operator', 'property_system', 'service')),
        ADD COLUMN subject           text NOT NULL DEFAULT 'other'
          CHECK (subject IN ('damage', 'parcel', 'label', 'invoice', 'receipt', 'other')),
        ADD COLUMN source_type       text NOT NULL,
        ALTER COLUMN width DROP NOT NULL,
        ALTER COLUMN height DROP NOT NULL`);
    await q.query(
      `CREATE INDEX claims_evidence_items_claim_idx ON claims_evidence_items (tenant_id, claim_id, created_at)`,
    );
    await q.query(`ALTER TABLE claims_evidence_bundles ADD COLUMN manifest_text text NULL, ADD COLUMN pdf_sha256 text NULL`);
    await q.query(`CREATE INDEX claims_evidence_bundles_claim_idx ON claims_evidence_bundles (claim_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX claims_evidence_bundles_claim_idx`);
    await q.query(`ALTER TABLE claims_evidence_bundles DROP COLUMN manifest_text, DROP COLUMN pdf_sha256`);
    await q.query(`DROP INDEX claims_evidence_items_claim_idx`);
    await q.query(`
      ALTER TABLE claims_evidence_items
        DROP COLUMN tenant_id, DROP COLUMN uploaded_by_role, DROP COLUMN subject, DROP COLUMN source_type`);
  }
}
