import type { EntityManager } from 'typeorm';
import { verifyBundle, type VerificationReport } from './evidence-verification';

/**
 * Loads a stored bundle and the items of its claim and verifies them (evidence-verification.ts):
 * the one path of both the HTTP endpoint and the verify-evidence command. Undefined when there is
 * no such bundle. Reads the manifest's exact text, never the jsonb copy (see EvidenceBundles).
 */
export async function verifyStoredBundle(m: EntityManager, bundleId: string): Promise<VerificationReport | undefined> {
  const [bundle] = (await m.query(
    `SELECT b.manifest_text, b.manifest::text AS manifest_jsonb, b.manifest_sha256, c.tenant_id, c.id AS claim_id
       FROM claims_evidence_bundles b JOIN claims_claims c ON c.id = b.claim_id WHERE b.id = $1`,
    [bundleId],
  )) as Array<{ manifest_text: string | null; manifest_jsonb: string; manifest_sha256: string; tenant_id: string; claim_id: string }>;
  if (!bundle) return undefined;
  const items = (await m.query(
    `SELECT id, bytes AS content FROM claims_evidence_items WHERE tenant_id = $1 AND claim_id = $2`,
    [bundle.tenant_id, bundle.claim_id],
  )) as Array<{ id: string; content: Buffer }>;
  return verifyBundle(bundle.manifest_text ?? bundle.manifest_jsonb, bundle.manifest_sha256, items);
}
