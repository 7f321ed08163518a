import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DocumentsChannel, DocumentTypeName } from '../cases/case';
import { returnedRows } from '@portico/messaging';
import type { CaseDocument, DocumentStatus } from './document-round';
import type { RejectionReason } from './vault-event';

interface DocumentRow {
  document_id: string;
  round: number;
  document_type: DocumentTypeName;
  upload_request_id: string;
  channel: DocumentsChannel;
  status: DocumentStatus;
  grant_id: string | null;
  submitted_at: Date;
}

/** `clearance_case_documents`: ids and verdicts of the documents id-vault holds for a case. */
@Injectable()
export class CaseDocumentRepository {
  async documentsOf(m: EntityManager, caseId: string): Promise<CaseDocument[]> {
    const rows = await m.query<DocumentRow[]>(
      `SELECT document_id, round, document_type, upload_request_id, channel, status, grant_id, submitted_at
         FROM clearance_case_documents WHERE case_id = $1 ORDER BY submitted_at, document_id`,
      [caseId],
    );
    return rows.map((r) => ({
      documentId: r.document_id,
      round: r.round,
      type: r.document_type,
      uploadRequestId: r.upload_request_id,
      channel: r.channel,
      status: r.status,
      grantId: r.grant_id,
      submittedAt: r.submitted_at,
    }));
  }

  /** false when the document was already recorded (a re-published event). */
  async addSubmitted(m: EntityManager, caseId: string, d: CaseDocument): Promise<boolean> {
    const rows = returnedRows<{ document_id: string }>(
      await m.query(
        `INSERT INTO clearance_case_documents
           (case_id, document_id, round, document_type, upload_request_id, channel, status, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7)
         ON CONFLICT DO NOTHING RETURNING document_id`,
        [caseId, d.documentId, d.round, d.type, d.uploadRequestId, d.channel, d.submittedAt],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Moves a document forward; false when it is unknown or already past `allowedFrom` (a late or
   * repeated verdict changes nothing).
   */
  async decide(
    m: EntityManager,
    caseId: string,
    documentId: string,
    to: Exclude<DocumentStatus, 'submitted'>,
    allowedFrom: readonly DocumentStatus[],
    details: { at: Date; reviewerId?: string; rejectionReason?: RejectionReason; grantId?: string },
  ): Promise<boolean> {
    const rows = returnedRows<{ document_id: string }>(
      await m.query(
        `UPDATE clearance_case_documents
            SET status = $3,
                reviewer_id = coalesce($5, reviewer_id),
                rejection_reason = coalesce($6, rejection_reason),
                grant_id = coalesce($7, grant_id),
                decided_at = CASE WHEN $3 IN ('approved', 'rejected') THEN $8 ELSE decided_at END,
                relayed_at = CASE WHEN $3 = 'relayed' THEN $8 ELSE relayed_at END
          WHERE case_id = $1 AND document_id = $2 AND status = ANY($4::text[])
          RETURNING document_id`,
        [
          caseId,
          documentId,
          to,
          allowedFrom,
          details.reviewerId || null,
          details.rejectionReason ?? null,
          details.grantId || null,
          details.at,
        ],
      ),
    );
    return rows.length === 1;
  }
}
