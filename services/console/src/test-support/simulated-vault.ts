import { randomBytes } from 'node:crypto';
import { personMaySee, refusal, SimulatedUpstream, UNAUTHENTICATED, type SimulatedAnswer, type SimulatedRequest } from './simulated-upstream';

/** A document as id-vault's GET /v1/cases/:id/documents lists it (review.service.ts DocumentSummary). */
export interface SimulatedDocument {
  id: string;
  requestId: string;
  caseId: string;
  tenantId: string;
  propertyId: string | null;
  documentType: string;
  sides: string[];
  status: string;
  attempt: number;
  checks: Record<string, unknown>;
  hasTypedFields: boolean;
  submittedAt: string;
  reviewedAt: string | null;
  rejectionReason: string | null;
}

const REASONS = ['unreadable', 'wrong_document', 'side_missing', 'expired', 'name_mismatch', 'incomplete', 'suspected_tampering', 'other'];

/**
 * SIMULATED id-vault steward review API for the console's browser test — not the real service:
 * documents of a case (property rule of document-access.ts), view links (`{url, expiresAt}`, the
 * image at the public /v1/document-views/:token), approve and reject `{reason}` (409
 * document_already_decided once decided). Images are whatever bytes the test puts in `images`.
 */
export class SimulatedVault extends SimulatedUpstream {
  readonly documents = new Map<string, SimulatedDocument>();
  readonly images = new Map<string, Buffer>();
  readonly decisions: Array<{ documentId: string; decision: 'approved' | 'rejected'; reason: string | null; subject: string }> = [];
  private readonly viewTokens = new Map<string, string>();

  protected route({ method, url, body, caller }: SimulatedRequest): SimulatedAnswer {
    const view = /^\/v1\/document-views\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && view) {
      const key = this.viewTokens.get(view[1]!);
      if (!key) return refusal(404, 'view_link_invalid', 'This view link is not valid.', '查看链接无效。');
      return { status: 200, bytes: this.images.get(key) ?? Buffer.alloc(0), type: 'image/jpeg' };
    }
    if (!caller) return UNAUTHENTICATED;
    const mayOpen = (d: SimulatedDocument) =>
      personMaySee(caller, d) && (d.propertyId !== null || caller.roles.includes('manager') || caller.roles.includes('operator'));
    const list = /^\/v1\/cases\/([^/]+)\/documents$/.exec(url.pathname);
    if (method === 'GET' && list) {
      const items = [...this.documents.values()]
        .filter((d) => d.caseId === decodeURIComponent(list[1]!) && mayOpen(d))
        .map(({ caseId: _c, tenantId: _t, propertyId: _p, ...summary }) => summary);
      return { status: 200, body: { items } };
    }
    const m = /^\/v1\/documents\/([^/]+)\/(view-links|approve|reject)$/.exec(url.pathname);
    const doc = m ? this.documents.get(decodeURIComponent(m[1]!)) : undefined;
    if (method !== 'POST' || !m || !doc || !mayOpen(doc)) return refusal(404, 'document_not_found', 'Document not found.', '证件不存在。');
    if (m[2] === 'view-links') {
      const part = (body as { part?: string } | undefined)?.part ?? '';
      if (!doc.sides.includes(part)) return refusal(400, 'validation_failed', 'part is not a side of the document', '证件面无效');
      const token = randomBytes(16).toString('base64url');
      this.viewTokens.set(token, `${doc.id}:${part}`);
      return { status: 201, body: { url: `/v1/document-views/${token}`, expiresAt: new Date(Date.now() + 300_000).toISOString() } };
    }
    if (doc.status === 'approved' || doc.status === 'rejected')
      return refusal(409, 'document_already_decided', 'This document was already decided.', '该证件已审核。');
    const reason = m[2] === 'reject' ? (body as { reason?: string } | undefined)?.reason ?? '' : null;
    if (reason !== null && !REASONS.includes(reason)) return refusal(400, 'validation_failed', 'reason is not a rejection reason', '退回原因无效');
    doc.status = m[2] === 'approve' ? 'approved' : 'rejected';
    doc.reviewedAt = new Date().toISOString();
    doc.rejectionReason = reason;
    this.decisions.push({ documentId: doc.id, decision: doc.status as 'approved' | 'rejected', reason, subject: caller.subject });
    const { caseId: _c, tenantId: _t, propertyId: _p, ...summary } = doc;
    return { status: 200, body: summary };
  }
}
