import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EvidenceKind, EvidenceSubject } from './evidence-intake';

export type UploaderRole = 'steward' | 'manager' | 'operator' | 'property_system' | 'service' | 'resident';

/** One stored evidence item without its bytes (lists, manifests). */
export interface EvidenceItemMeta {
  readonly id: string;
  readonly tenantId: string;
  readonly claimId: string;
  readonly kind: EvidenceKind;
  readonly subject: EvidenceSubject;
  readonly contentType: string;
  readonly sourceType: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly uploadedBy: string;
  readonly uploadedByRole: UploaderRole;
  readonly createdAt: Date;
}

export interface EvidenceItem extends EvidenceItemMeta {
  readonly content: Buffer;
}

interface Row {
  id: string;
  tenant_id: string;
  claim_id: string;
  kind: EvidenceKind;
  subject: EvidenceSubject;
  content_type: string;
  source_type: string;
  sha256: string;
  size: number | string;
  width: number | null;
  height: number | null;
  uploaded_by: string;
  uploaded_by_role: UploaderRole;
  created_at: Date;
  bytes?: Buffer;
}

const META = `id, tenant_id, claim_id, kind, subject, content_type, source_type, sha256, octet_length(bytes) AS size,
  width, height, uploaded_by, uploaded_by_role, created_at`;

function toMeta(r: Row): EvidenceItemMeta {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    claimId: r.claim_id,
    kind: r.kind,
    subject: r.subject,
    contentType: r.content_type,
    sourceType: r.source_type,
    sha256: r.sha256,
    bytes: Number(r.size),
    width: r.width,
    height: r.height,
    uploadedBy: r.uploaded_by,
    uploadedByRole: r.uploaded_by_role,
    createdAt: r.created_at,
  };
}

/** claims_evidence_items: every read names the tenant, so an id alone never crosses tenants. */
@Injectable()
export class EvidenceItemRepository {
  async insert(m: EntityManager, item: EvidenceItem): Promise<void> {
    await m.query(
      `INSERT INTO claims_evidence_items (id, tenant_id, claim_id, kind, subject, content_type, source_type, bytes,
         sha256, width, height, uploaded_by, uploaded_by_role, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        item.id,
        item.tenantId,
        item.claimId,
        item.kind,
        item.subject,
        item.contentType,
        item.sourceType,
        item.content,
        item.sha256,
        item.width,
        item.height,
        item.uploadedBy,
        item.uploadedByRole,
        item.createdAt,
      ],
    );
  }

  async count(m: EntityManager, tenantId: string, claimId: string): Promise<number> {
    const [row] = (await m.query(
      `SELECT count(*)::int AS n FROM claims_evidence_items WHERE tenant_id = $1 AND claim_id = $2`,
      [tenantId, claimId],
    )) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  async list(m: EntityManager, tenantId: string, claimId: string): Promise<EvidenceItemMeta[]> {
    const rows = (await m.query(
      `SELECT ${META} FROM claims_evidence_items WHERE tenant_id = $1 AND claim_id = $2 ORDER BY created_at, id`,
      [tenantId, claimId],
    )) as Row[];
    return rows.map(toMeta);
  }

  async get(
    m: EntityManager,
    tenantId: string,
    claimId: string,
    itemId: string,
  ): Promise<EvidenceItem | undefined> {
    const rows = (await m.query(
      `SELECT ${META}, bytes FROM claims_evidence_items WHERE tenant_id = $1 AND claim_id = $2 AND id = $3`,
      [tenantId, claimId, itemId],
    )) as Row[];
    return rows[0] ? { ...toMeta(rows[0]), content: rows[0].bytes! } : undefined;
  }

  /** Every item with its bytes: the PDF embeds the photos, verification re-hashes everything. */
  async listWithContent(m: EntityManager, tenantId: string, claimId: string): Promise<EvidenceItem[]> {
    const rows = (await m.query(
      `SELECT ${META}, bytes FROM claims_evidence_items WHERE tenant_id = $1 AND claim_id = $2 ORDER BY created_at, id`,
      [tenantId, claimId],
    )) as Row[];
    return rows.map((r) => ({ ...toMeta(r), content: r.bytes! }));
  }
}
