import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { EvidenceLanguage, EvidenceLink } from './evidence-link';

interface Row {
  id: string;
  tenant_id: string;
  claim_id: string;
  language: EvidenceLanguage;
  max_uploads: number;
  uploads: number;
  expires_at: Date;
  issued_by: string;
  created_at: Date;
  finished_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = `id, tenant_id, claim_id, language, max_uploads, uploads, expires_at, issued_by, created_at,
  finished_at, revoked_at`;

function toLink(r: Row): EvidenceLink {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    claimId: r.claim_id,
    language: r.language,
    maxUploads: r.max_uploads,
    uploads: r.uploads,
    expiresAt: r.expires_at,
    issuedBy: r.issued_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    revokedAt: r.revoked_at,
  };
}

/** claims_evidence_links. The token is looked up by its SHA-256 only; it is never stored. */
@Injectable()
export class EvidenceLinkRepository {
  async insert(m: EntityManager, link: EvidenceLink, tokenHash: Buffer): Promise<void> {
    await m.query(
      `INSERT INTO claims_evidence_links (id, tenant_id, claim_id, token_hash, language, max_uploads, uploads,
         expires_at, issued_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)`,
      [
        link.id,
        link.tenantId,
        link.claimId,
        tokenHash,
        link.language,
        link.maxUploads,
        link.expiresAt,
        link.issuedBy,
        link.createdAt,
      ],
    );
  }

  async findByTokenHash(
    m: EntityManager,
    hash: Buffer,
    opts: { lock?: boolean } = {},
  ): Promise<EvidenceLink | undefined> {
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM claims_evidence_links WHERE token_hash = $1${opts.lock ? ' FOR UPDATE' : ''}`,
      [hash],
    )) as Row[];
    return rows[0] && toLink(rows[0]);
  }

  async find(
    m: EntityManager,
    tenantId: string,
    claimId: string,
    id: string,
  ): Promise<EvidenceLink | undefined> {
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM claims_evidence_links WHERE tenant_id = $1 AND claim_id = $2 AND id = $3`,
      [tenantId, claimId, id],
    )) as Row[];
    return rows[0] && toLink(rows[0]);
  }

  async listForClaim(m: EntityManager, tenantId: string, claimId: string): Promise<EvidenceLink[]> {
    const rows = (await m.query(
      `SELECT ${COLUMNS} FROM claims_evidence_links WHERE tenant_id = $1 AND claim_id = $2 ORDER BY created_at`,
      [tenantId, claimId],
    )) as Row[];
    return rows.map(toLink);
  }

  /** Revokes the claim's links still usable (a newer link replaces them); returns their ids. Ended ones keep their state. */
  async revokeOpen(
    m: EntityManager,
    tenantId: string,
    claimId: string,
    by: string,
    now: Date,
  ): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE claims_evidence_links SET revoked_at = $4, revoked_by = $3
          WHERE tenant_id = $1 AND claim_id = $2 AND revoked_at IS NULL AND finished_at IS NULL AND expires_at > $4
            AND uploads < max_uploads
          RETURNING id`,
        [tenantId, claimId, by, now],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Revokes one link; false when it was already revoked (revoking twice changes nothing). */
  async revoke(m: EntityManager, id: string, by: string, now: Date): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE claims_evidence_links SET revoked_at = $3, revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
        [id, by, now],
      ),
    );
    return rows.length > 0;
  }

  async countUpload(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE claims_evidence_links SET uploads = uploads + 1 WHERE id = $1`, [id]);
  }

  async finish(m: EntityManager, id: string, now: Date): Promise<void> {
    await m.query(`UPDATE claims_evidence_links SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL`, [
      id,
      now,
    ]);
  }
}
