import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { DocumentSideName, DocumentTypeName } from '../shared/document-types';
import type { DocumentStatus, VaultDocument } from './vault-document';

interface DocumentRow {
  id: string;
  request_id: string;
  case_id: string;
  tenant_id: string;
  property_id: string | null;
  parcel_id: string;
  document_type: DocumentTypeName;
  sides: DocumentSideName[];
  version: number;
  channel: 'resident_upload' | 'steward_assisted';
  consent_id: string;
  attempt: number;
  status: DocumentStatus;
  check_summary: Record<string, unknown>;
  has_typed_fields: boolean;
  submitted_at: Date;
  reviewed_at: Date | null;
  reviewer_id: string | null;
  rejection_reason: string | null;
  purged_at: Date | null;
}

function toDocument(r: DocumentRow): VaultDocument {
  return {
    id: r.id,
    requestId: r.request_id,
    caseId: r.case_id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    parcelId: r.parcel_id,
    documentType: r.document_type,
    sides: r.sides,
    version: r.version,
    channel: r.channel,
    consentId: r.consent_id,
    attempt: r.attempt,
    status: r.status,
    checkSummary: r.check_summary,
    hasTypedFields: r.has_typed_fields,
    submittedAt: r.submitted_at,
    reviewedAt: r.reviewed_at,
    reviewerId: r.reviewer_id,
    rejectionReason: r.rejection_reason,
    purgedAt: r.purged_at,
  };
}

/** The columns a new document row is written with, and its values in that order ($14 is jsonb). */
export const DOCUMENT_INSERT_COLUMNS = `id, request_id, case_id, tenant_id, property_id, parcel_id, document_type, sides,
  version, channel, consent_id, attempt, status, check_summary, has_typed_fields, submitted_at`;

export function documentInsertValues(
  d: Omit<VaultDocument, 'consentId'>,
  consentId: string | null,
): unknown[] {
  return [
    d.id,
    d.requestId,
    d.caseId,
    d.tenantId,
    d.propertyId,
    d.parcelId,
    d.documentType,
    d.sides,
    d.version,
    d.channel,
    consentId,
    d.attempt,
    d.status,
    JSON.stringify(d.checkSummary),
    d.hasTypedFields,
    d.submittedAt,
  ];
}

@Injectable()
export class VaultDocumentRepository {
  async insert(m: EntityManager, d: VaultDocument): Promise<void> {
    await m.query(
      `INSERT INTO documents (${DOCUMENT_INSERT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16)`,
      documentInsertValues(d, d.consentId),
    );
  }

  async find(
    m: EntityManager,
    id: string,
    opts: { lock?: boolean } = {},
  ): Promise<VaultDocument | undefined> {
    const rows = (await m.query(`SELECT * FROM documents WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`, [
      id,
    ])) as DocumentRow[];
    return rows[0] && toDocument(rows[0]);
  }

  async listForCase(m: EntityManager, caseId: string): Promise<VaultDocument[]> {
    const rows = (await m.query(`SELECT * FROM documents WHERE case_id = $1 ORDER BY submitted_at`, [
      caseId,
    ])) as DocumentRow[];
    return rows.map(toDocument);
  }

  async review(
    m: EntityManager,
    id: string,
    verdict: { status: 'approved' | 'rejected'; reviewerId: string; at: Date; rejectionReason?: string },
  ): Promise<void> {
    await m.query(
      `UPDATE documents SET status = $2, reviewer_id = $3, reviewed_at = $4, rejection_reason = $5 WHERE id = $1`,
      [id, verdict.status, verdict.reviewerId, verdict.at, verdict.rejectionReason ?? null],
    );
  }

  async markRelayed(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE documents SET status = 'relayed' WHERE id = $1 AND status = 'approved'`, [id]);
  }

  /** @returns false when it was purged already (a replayed timer, a second withdrawal). */
  async markPurged(m: EntityManager, id: string, reason: string, at: Date): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE documents SET status = 'purged', purge_reason = $2, purged_at = $3
         WHERE id = $1 AND status <> 'purged' RETURNING id`,
        [id, reason, at],
      ),
    );
    return rows.length > 0;
  }
}
