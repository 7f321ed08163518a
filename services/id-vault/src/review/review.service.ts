import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@portico/auth';
import { rejectionReasonToContract } from '@portico/contracts';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { VaultCase } from '../cases/vault-case';
import { VaultCaseRepository } from '../cases/vault-case.repository';
import { SealedDocuments } from '../documents/document-ports';
import { canReview, type VaultDocument } from '../documents/vault-document';
import { VaultDocumentRepository } from '../documents/vault-document.repository';
import { VaultEventWriter } from '../events/vault-event-writer';
import { documentApproved, documentRejected } from '../events/vault-events';
import { RelayScheduler } from '../relay/relay-scheduler';
import { AuditTrail } from '../shared/audit-trail';
import { hashSecret, issueSecret, looksLikeSecret } from '../shared/secret-token';
import { CLOCK, type Clock } from '../shared/tokens';
import { VAULT_METRICS, type VaultMetrics } from '../shared/vault-metrics';
import { eventSubject } from '../upload-requests/upload-requests.service';
import { assertDocumentAccess } from './document-access';
import { DocumentAlreadyDecidedError, DocumentNotFoundError, ViewLinkInvalidError } from './review-errors';
import type { RejectionReasonName } from './review-requests';

export const VIEW_LINK_TTL_SECONDS = 'id-vault:view-link-ttl-seconds';

export interface DocumentSummary {
  readonly id: string;
  readonly requestId: string;
  readonly documentType: string;
  readonly sides: readonly string[];
  readonly status: string;
  readonly attempt: number;
  readonly checks: Readonly<Record<string, unknown>>;
  readonly hasTypedFields: boolean;
  readonly submittedAt: string;
  readonly reviewedAt: string | null;
  readonly rejectionReason: string | null;
}

function summary(d: VaultDocument): DocumentSummary {
  return {
    id: d.id,
    requestId: d.requestId,
    documentType: d.documentType,
    sides: d.sides,
    status: d.status,
    attempt: d.attempt,
    checks: d.checkSummary,
    hasTypedFields: d.hasTypedFields,
    submittedAt: d.submittedAt.toISOString(),
    reviewedAt: d.reviewedAt?.toISOString() ?? null,
    rejectionReason: d.rejectionReason,
  };
}

export type ViewPart = 'front' | 'back' | 'single_page' | 'fields';

/**
 * The steward's side: list a case's documents, open a part through a short-lived link (every
 * issue and every view audited), approve (which queues the relay: no manual relay) or reject
 * with a reason the resident is told.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly documents: VaultDocumentRepository,
    private readonly cases: VaultCaseRepository,
    private readonly sealed: SealedDocuments,
    private readonly events: VaultEventWriter,
    private readonly audit: AuditTrail,
    private readonly relay: RelayScheduler,
    @Inject(VIEW_LINK_TTL_SECONDS) private readonly viewTtlSeconds: number,
    @Inject(VAULT_METRICS) private readonly metrics: VaultMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('id-vault-review') private readonly logger: PinoLogger,
  ) {}

  listForCase(caller: Principal, caseId: string): Promise<DocumentSummary[]> {
    return this.uow.read(async (m) => {
      const c = await this.cases.find(m, caseId);
      if (!c) return [];
      assertDocumentAccess(caller, c);
      return (await this.documents.listForCase(m, caseId)).map(summary);
    });
  }

  issueViewLink(
    caller: Principal,
    documentId: string,
    part: ViewPart,
  ): Promise<{ token: string; expiresAt: Date }> {
    return this.uow.transaction(async (m) => {
      const { doc } = await this.accessible(m, caller, documentId);
      if (
        doc.status === 'purged' ||
        (part !== 'fields' && !doc.sides.includes(part)) ||
        (part === 'fields' && !doc.hasTypedFields)
      ) {
        throw new DocumentNotFoundError(documentId);
      }
      const secret = issueSecret();
      const now = this.clock();
      const expiresAt = new Date(now.getTime() + this.viewTtlSeconds * 1000);
      await m.query(
        `INSERT INTO document_view_links (token_hash, document_id, viewer_id, part, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [secret.hash, doc.id, actorId(caller), part, expiresAt, now],
      );
      await this.audit.record(m, {
        actor: { kind: 'steward', id: actorId(caller) },
        action: 'document.view_link_issued',
        purpose: 'document_review',
        subject: { type: 'document', id: doc.id },
        caseId: doc.caseId,
        tenantId: doc.tenantId,
        details: { part, expiresAt: expiresAt.toISOString() },
      });
      return { token: secret.token, expiresAt };
    });
  }

  /** Serves a part through a view link: decrypted in memory, never cached by the browser. */
  view(token: string): Promise<{ part: ViewPart; bytes: Buffer }> {
    return this.uow.transaction(async (m) => {
      if (!looksLikeSecret(token)) throw new ViewLinkInvalidError();
      const rows = (await m.query(
        `SELECT document_id, viewer_id, part FROM document_view_links WHERE token_hash = $1 AND expires_at > $2`,
        [hashSecret(token), this.clock()],
      )) as Array<{ document_id: string; viewer_id: string; part: ViewPart }>;
      const link = rows[0];
      if (!link) throw new ViewLinkInvalidError();
      const doc = await this.documents.find(m, link.document_id);
      if (!doc || doc.status === 'purged') throw new ViewLinkInvalidError();
      const bytes = await this.sealed.open(m, { documentId: doc.id, version: doc.version, part: link.part });
      await this.audit.record(m, {
        actor: { kind: 'steward', id: link.viewer_id },
        action: 'document.viewed',
        purpose: 'document_review',
        subject: { type: 'document', id: doc.id },
        caseId: doc.caseId,
        tenantId: doc.tenantId,
        details: { part: link.part },
      });
      this.metrics.views.inc();
      return { part: link.part, bytes };
    });
  }

  approve(caller: Principal, documentId: string): Promise<DocumentSummary> {
    return this.decide(caller, documentId, { decision: 'approved' });
  }

  reject(caller: Principal, documentId: string, reason: RejectionReasonName): Promise<DocumentSummary> {
    return this.decide(caller, documentId, { decision: 'rejected', reason });
  }

  private decide(
    caller: Principal,
    documentId: string,
    d: { decision: 'approved' } | { decision: 'rejected'; reason: RejectionReasonName },
  ): Promise<DocumentSummary> {
    return this.uow.transaction(async (m) => {
      const { doc, vaultCase } = await this.accessible(m, caller, documentId, { lock: true });
      if (!canReview(doc)) throw new DocumentAlreadyDecidedError(doc.id, doc.status);
      const c = vaultCase!;
      const now = this.clock();
      const steward = actorId(caller);
      const subject = eventSubject(c, doc.requestId);
      await this.documents.review(m, doc.id, {
        status: d.decision,
        reviewerId: steward,
        at: now,
        rejectionReason: d.decision === 'rejected' ? d.reason : undefined,
      });
      if (d.decision === 'approved') {
        await this.events.append(m, subject, documentApproved(subject, now, doc.id, steward));
        // Same transaction: an approval can never exist without its relay on the way.
        await this.relay.schedule(m, doc.id, now);
      } else {
        await this.events.append(
          m,
          subject,
          documentRejected(subject, now, doc.id, rejectionReasonToContract(d.reason), steward),
        );
      }
      await this.audit.record(m, {
        actor: { kind: 'steward', id: steward },
        action: d.decision === 'approved' ? 'document.approved' : 'document.rejected',
        purpose: 'document_review',
        subject: { type: 'document', id: doc.id },
        caseId: doc.caseId,
        tenantId: doc.tenantId,
        details: d.decision === 'rejected' ? { reason: d.reason } : {},
      });
      this.metrics.reviews.inc({ decision: d.decision });
      this.logger.info({ caseId: doc.caseId, documentId: doc.id, decision: d.decision }, 'document reviewed');
      return summary((await this.documents.find(m, doc.id))!);
    });
  }

  private async accessible(
    m: EntityManager,
    caller: Principal,
    documentId: string,
    opts: { lock?: boolean } = {},
  ): Promise<{ doc: VaultDocument; vaultCase: VaultCase | undefined }> {
    const doc = await this.documents.find(m, documentId, opts);
    if (!doc) throw new DocumentNotFoundError(documentId);
    const vaultCase = await this.cases.find(m, doc.caseId);
    assertDocumentAccess(caller, {
      tenantId: doc.tenantId,
      propertyId: vaultCase?.propertyId ?? doc.propertyId,
    });
    return { doc, vaultCase };
  }
}

function actorId(p: Principal): string {
  return p.kind === 'person' ? p.subject : p.kind === 'service' ? p.name : p.keyId;
}
