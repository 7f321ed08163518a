import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { VaultCaseRepository } from '../cases/vault-case.repository';
import { SealedDocuments } from '../documents/document-ports';
import type { VaultDocument } from '../documents/vault-document';
import { VaultDocumentRepository } from '../documents/vault-document.repository';
import { VaultEventWriter } from '../events/vault-event-writer';
import { documentPurged, type PurgeReasonName } from '../events/vault-events';
import { AuditTrail, type AuditActor } from '../shared/audit-trail';
import { CLOCK, type Clock } from '../shared/tokens';
import { VAULT_METRICS, type VaultMetrics } from '../shared/vault-metrics';
import { eventSubject } from '../upload-requests/upload-requests.service';

/**
 * Purging: crypto-shred (the data keys go, so no copy of the ciphertext anywhere can be opened
 * again), delete the blobs, keep the metadata row as a tombstone for the audit trail, publish
 * DocumentPurged. Each purge is one transaction with its audit entry and event.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly documents: VaultDocumentRepository,
    private readonly cases: VaultCaseRepository,
    private readonly sealed: SealedDocuments,
    private readonly events: VaultEventWriter,
    private readonly audit: AuditTrail,
    @Inject(VAULT_METRICS) private readonly metrics: VaultMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('id-vault-retention') private readonly logger: PinoLogger,
  ) {}

  /** The purge timer's handler. @returns false when there was nothing left to purge. */
  async purgeDocument(
    m: EntityManager,
    documentId: string,
    reason: PurgeReasonName,
    actor: AuditActor,
  ): Promise<boolean> {
    const doc = await this.documents.find(m, documentId, { lock: true });
    if (!doc || doc.status === 'purged') return false;
    await this.purge(m, doc, reason, actor);
    return true;
  }

  /**
   * Withdrawal: every live document of the case goes, whichever of the resident's links brought it
   * (a rejected upload through an earlier, superseded link included).
   */
  async purgeCaseDocuments(
    m: EntityManager,
    caseId: string,
    reason: PurgeReasonName,
    actor: AuditActor,
  ): Promise<number> {
    const docs = (await this.documents.listForCase(m, caseId)).filter((d) => d.status !== 'purged');
    for (const d of docs) await this.purge(m, d, reason, actor);
    return docs.length;
  }

  /** A new upload replaces the case's rejected ones: nobody needs those any more. */
  async purgeSupersededInCase(
    m: EntityManager,
    caseId: string,
    keepDocumentId: string,
    at: Date,
  ): Promise<void> {
    const docs = await this.documents.listForCase(m, caseId);
    for (const d of docs) {
      if (d.id !== keepDocumentId && d.status === 'rejected' && d.submittedAt <= at) {
        await this.purge(m, d, 'superseded', { kind: 'system', id: 'id-vault' });
      }
    }
  }

  private async purge(
    m: EntityManager,
    doc: VaultDocument,
    reason: PurgeReasonName,
    actor: AuditActor,
  ): Promise<void> {
    const c = await this.cases.find(m, doc.caseId);
    await this.sealed.shred(m, doc.id);
    const now = this.clock();
    if (!(await this.documents.markPurged(m, doc.id, reason, now))) return;
    if (c) {
      const subject = eventSubject(c, doc.requestId);
      await this.events.append(m, subject, documentPurged(subject, now, doc.id, reason));
    }
    await this.audit.record(m, {
      actor,
      action: 'document.purged',
      purpose: reason,
      subject: { type: 'document', id: doc.id },
      caseId: doc.caseId,
      tenantId: doc.tenantId,
      details: { reason },
    });
    this.metrics.purges.inc({ reason });
    this.logger.info({ caseId: doc.caseId, documentId: doc.id, reason }, 'document purged');
  }
}
