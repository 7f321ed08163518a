import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { backstopPurgeAt, type VaultCase } from '../cases/vault-case';
import { VaultCaseRepository } from '../cases/vault-case.repository';
import { CONSENT_TEXT_VERSION, type Consent } from '../documents/consent';
import { ConsentRepository } from '../documents/consent.repository';
import {
  DocumentChecker,
  SealedDocuments,
  type ArrivedSide,
  type TypedFields,
} from '../documents/document-ports';
import type { VaultDocument } from '../documents/vault-document';
import { VaultDocumentRepository } from '../documents/vault-document.repository';
import { VaultEventWriter } from '../events/vault-event-writer';
import { documentChecksFailed, documentSubmitted } from '../events/vault-events';
import { RetentionScheduler } from '../retention/retention-scheduler';
import { RetentionService } from '../retention/retention.service';
import { AuditTrail } from '../shared/audit-trail';
import type { DocumentTypeName } from '../shared/document-types';
import { hashSecret, looksLikeSecret } from '../shared/secret-token';
import { CLOCK, ID_GENERATOR, RETENTION_DAYS, type Clock, type IdGenerator } from '../shared/tokens';
import { linkState, type Language, type UploadRequest } from '../upload-requests/upload-request';
import { UploadLinkNotFoundError, UploadLinkUnusableError } from '../upload-requests/upload-request-errors';
import { UploadRequestRepository } from '../upload-requests/upload-request.repository';
import { eventSubject } from '../upload-requests/upload-requests.service';
import { ConsentRequiredError, DocumentChecksFailedError } from './resident-errors';
import { UploadSubmissionRepository } from './upload-submission.repository';
import type { VaultMetrics } from '../shared/vault-metrics';
import { VAULT_METRICS } from '../shared/vault-metrics';

/** What the resident's page shows: the parcel, the carrier, the deadline, what is asked, where things stand. */
export interface ResidentView {
  readonly requestId: string;
  readonly language: Language;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly requiredDocuments: readonly DocumentTypeName[];
  readonly expiresAt: Date;
  readonly deadline: Date | null;
  readonly link: ReturnType<typeof linkState>;
  readonly consent: { readonly textVersion: string; readonly givenAt: Date } | null;
  readonly retentionDays: number;
  readonly documents: ReadonlyArray<{
    readonly type: DocumentTypeName;
    readonly status: string;
    readonly rejectionReason: string | null;
  }>;
}

export interface Submission {
  readonly documentType: DocumentTypeName;
  readonly sides: readonly ArrivedSide[];
  readonly typed: TypedFields;
}

interface Resolved {
  readonly request: UploadRequest;
  readonly vaultCase: VaultCase;
}

/**
 * Everything a resident does through the one-time link: see what is asked, consent, upload, withdraw.
 * The token is the resident's only credential; it is hashed before it reaches the database and
 * never logged (the upload routes are excluded from request logging for the same reason).
 */
@Injectable()
export class ResidentUploadService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cases: VaultCaseRepository,
    private readonly requests: UploadRequestRepository,
    private readonly consents: ConsentRepository,
    private readonly documents: VaultDocumentRepository,
    private readonly checker: DocumentChecker,
    private readonly sealed: SealedDocuments,
    private readonly events: VaultEventWriter,
    private readonly audit: AuditTrail,
    private readonly retentionTimers: RetentionScheduler,
    private readonly retention: RetentionService,
    @Inject(RETENTION_DAYS) private readonly retentionDays: number,
    @Inject(VAULT_METRICS) private readonly metrics: VaultMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('id-vault-resident') private readonly logger: PinoLogger,
    private readonly submissions: UploadSubmissionRepository,
  ) {}

  view(token: string): Promise<ResidentView> {
    return this.uow.read(async (m) => {
      const { request, vaultCase } = await this.resolve(m, token);
      const consent = await this.consents.activeFor(m, request.id);
      const docs = await this.documents.listForCase(m, request.caseId);
      return {
        requestId: request.id,
        language: request.language,
        carrierCode: vaultCase.carrierCode,
        trackingNumber: vaultCase.trackingNumber,
        requiredDocuments: request.requiredDocuments,
        expiresAt: request.expiresAt,
        deadline: vaultCase.deadline,
        link: linkState(request, this.clock()),
        consent: consent ? { textVersion: consent.textVersion, givenAt: consent.givenAt } : null,
        retentionDays: this.retentionDays,
        // This link's documents and the case's earlier live ones: after a rejection, the new link's
        // page shows why the last upload was turned down.
        documents: docs
          .filter((d) => d.requestId === request.id || d.status !== 'purged')
          .map((d) => ({
            type: d.documentType,
            status: d.status,
            rejectionReason: d.rejectionReason,
          })),
      };
    });
  }

  giveConsent(token: string, language: Language): Promise<Consent> {
    return this.uow.transaction(async (m) => {
      const { request, vaultCase } = await this.resolve(m, token, { lock: true });
      this.assertUsable(request);
      const existing = await this.consents.activeFor(m, request.id);
      if (existing && existing.textVersion === CONSENT_TEXT_VERSION) return existing;
      const consent: Consent = {
        id: this.newId('cst'),
        requestId: request.id,
        textVersion: CONSENT_TEXT_VERSION,
        terms: {
          purpose: 'customs_clearance',
          recipient: vaultCase.carrierCode,
          retentionDays: this.retentionDays,
        },
        language,
        givenAt: this.clock(),
        withdrawnAt: null,
      };
      await this.consents.insert(m, consent);
      await this.audit.record(m, {
        actor: { kind: 'resident', id: request.id },
        action: 'consent.given',
        purpose: 'customs_clearance',
        subject: { type: 'consent', id: consent.id },
        caseId: request.caseId,
        tenantId: request.tenantId,
        details: { textVersion: consent.textVersion, recipient: consent.terms.recipient },
      });
      return consent;
    });
  }

  /**
   * Checks run before any transaction (they are CPU work on untrusted bytes and must not hold a
   * row lock or a connection); the outcome is then written in one transaction that re-checks the
   * link, so two tabs uploading at once end with one document, not two.
   */
  async submit(token: string, s: Submission): Promise<{ documentId: string }> {
    // One round trip for the link, its case and its consent (issue 6); the link is re-checked
    // under its lock in the transaction below.
    const { request, vaultCase, consented } = await this.uow.read(async (m) => {
      if (!looksLikeSecret(token)) throw new UploadLinkNotFoundError();
      const found = await this.submissions.resolve(m, hashSecret(token));
      if (!found?.vaultCase) throw new UploadLinkNotFoundError();
      return { request: found.request, vaultCase: found.vaultCase, consented: Boolean(found.consent) };
    });
    this.assertUsable(request);
    // Before the checks: decoding images for a link without consent would be work for nothing.
    if (!consented) throw new ConsentRequiredError();
    const started = performance.now();
    const outcome = await this.checker.check({
      documentType: s.documentType,
      // A link asking for several documents takes any of them; otherwise the one it asks for.
      requestedType: request.requiredDocuments.includes(s.documentType)
        ? s.documentType
        : (request.requiredDocuments[0] ?? s.documentType),
      sides: s.sides,
      typed: s.typed,
      waybillNameDigest: vaultCase.recipientNameDigest,
      validUntilAtLeast:
        vaultCase.deadline && vaultCase.deadline > this.clock() ? vaultCase.deadline : this.clock(),
    });
    this.metrics.checkSeconds.observe((performance.now() - started) / 1000);

    return this.uow
      .transaction(async (m) => {
        const now = this.clock();
        // Lock, attempt count and (checks passed) the link's new status in one statement; a link
        // found unusable under the lock throws, and the rollback takes the count and status back.
        const claimed = await this.submissions.claim(m, request.id, outcome.ok ? now : null);
        if (!claimed) throw new UploadLinkNotFoundError();
        const locked = claimed.request;
        this.assertUsable(locked);
        const attempt = claimed.attempt;
        const subject = eventSubject(vaultCase, locked.id);

        if (!outcome.ok) {
          if (!(await this.consents.activeFor(m, locked.id))) throw new ConsentRequiredError();
          await this.events.append(
            m,
            subject,
            documentChecksFailed(subject, now, { type: s.documentType, failures: outcome.failures, attempt }),
          );
          await this.audit.record(m, {
            actor: { kind: 'resident', id: locked.id },
            action: 'document.checks_failed',
            purpose: 'customs_clearance',
            subject: { type: 'upload_request', id: locked.id },
            caseId: locked.caseId,
            tenantId: locked.tenantId,
            details: { attempt, codes: outcome.failures.map((f) => f.name) },
          });
          for (const f of outcome.failures) this.metrics.rejections.inc({ reason: f.name });
          // Committed on purpose: the attempt and its event are facts; the error tells the resident why.
          return { failed: new DocumentChecksFailedError(outcome.failures) } as const;
        }

        const draft: Omit<VaultDocument, 'consentId'> = {
          id: this.newId('doc'),
          requestId: locked.id,
          caseId: locked.caseId,
          tenantId: locked.tenantId,
          propertyId: vaultCase.propertyId,
          parcelId: locked.parcelId,
          documentType: s.documentType,
          sides: outcome.sides.map((x) => x.side),
          version: 1,
          channel: 'resident_upload',
          attempt,
          status: 'submitted',
          checkSummary: Object.fromEntries(
            outcome.sides.map((x) => [
              x.side,
              { width: x.width, height: x.height, sharpness: Math.round(x.sharpness) },
            ]),
          ),
          hasTypedFields: Object.values(s.typed).some((v) => typeof v === 'string' && v.length > 0),
          submittedAt: now,
          reviewedAt: null,
          reviewerId: null,
          rejectionReason: null,
          purgedAt: null,
        };
        // The consent is read by the insert itself, after the lock: none (withdrawn meanwhile), no row.
        const placed = await this.submissions.insertUnderConsent(m, draft);
        if (!placed) throw new ConsentRequiredError();
        const consent = placed.consent;
        const doc: VaultDocument = { ...draft, consentId: consent.id };
        await this.sealed.sealNewVersion(m, { documentId: doc.id, version: doc.version }, [
          ...outcome.sides.map((side) => ({ part: side.side, plaintext: side.jpeg })),
          ...(doc.hasTypedFields
            ? [{ part: 'fields' as const, plaintext: Buffer.from(JSON.stringify(s.typed), 'utf8') }]
            : []),
        ]);
        // Older documents of this case were rejected (that is why a new link exists): they go now.
        if (placed.supersedesRejected) await this.retention.purgeSupersededInCase(m, doc.caseId, doc.id, now);
        await this.retentionTimers.scheduleDocumentPurge(
          m,
          doc.id,
          backstopPurgeAt(vaultCase, now, this.retentionDays),
        );
        await this.events.append(
          m,
          subject,
          documentSubmitted(subject, now, {
            documentId: doc.id,
            type: doc.documentType,
            sides: doc.sides,
            channel: doc.channel,
            consentId: consent.id,
            consentVersion: consent.textVersion,
            attempt,
          }),
        );
        await this.audit.record(m, {
          actor: { kind: 'resident', id: locked.id },
          action: 'document.submitted',
          purpose: 'customs_clearance',
          subject: { type: 'document', id: doc.id },
          caseId: doc.caseId,
          tenantId: doc.tenantId,
          details: { attempt, parts: [...doc.sides], consentId: consent.id },
        });
        this.metrics.uploads.inc({ outcome: 'accepted' });
        trace
          .getActiveSpan()
          ?.setAttributes({ 'portico.case_id': doc.caseId, 'portico.vault.document_id': doc.id });
        this.logger.info(
          { caseId: doc.caseId, documentId: doc.id, requestId: locked.id, attempt },
          'document stored',
        );
        return { documentId: doc.id };
      })
      .then((r) => {
        if ('failed' in r) {
          this.metrics.uploads.inc({ outcome: 'rejected' });
          throw r.failed;
        }
        return r;
      });
  }

  /** Withdrawal purges at once (crypto-shred), whatever the case's state. */
  withdraw(token: string): Promise<{ purged: number }> {
    return this.uow.transaction(async (m) => {
      const { request } = await this.resolve(m, token, { lock: true });
      const withdrawn = await this.consents.withdraw(m, request.id, this.clock());
      for (const consentId of withdrawn) {
        await this.audit.record(m, {
          actor: { kind: 'resident', id: request.id },
          action: 'consent.withdrawn',
          purpose: 'customs_clearance',
          subject: { type: 'consent', id: consentId },
          caseId: request.caseId,
          tenantId: request.tenantId,
        });
      }
      const purged = await this.retention.purgeCaseDocuments(m, request.caseId, 'consent_withdrawn', {
        kind: 'resident',
        id: request.id,
      });
      if (request.status === 'open') await this.requests.setStatus(m, request.id, 'revoked', this.clock());
      return { purged };
    });
  }

  private async resolve(m: EntityManager, token: string, opts: { lock?: boolean } = {}): Promise<Resolved> {
    if (!looksLikeSecret(token)) throw new UploadLinkNotFoundError();
    const request = await this.requests.findByTokenHash(m, hashSecret(token), opts);
    if (!request) throw new UploadLinkNotFoundError();
    const vaultCase = await this.cases.find(m, request.caseId);
    if (!vaultCase) throw new UploadLinkNotFoundError();
    return { request, vaultCase };
  }

  private assertUsable(r: UploadRequest): void {
    const state = linkState(r, this.clock());
    if (state !== 'usable') throw new UploadLinkUnusableError(state);
  }
}
