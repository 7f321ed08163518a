import { Inject, Injectable } from '@nestjs/common';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { VaultCaseRepository } from '../cases/vault-case.repository';
import { VaultEventWriter } from '../events/vault-event-writer';
import { uploadRequested, type EventSubject } from '../events/vault-events';
import { AuditTrail } from '../shared/audit-trail';
import type { DocumentTypeName } from '../shared/document-types';
import { issueSecret } from '../shared/secret-token';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import type { VaultCase } from '../cases/vault-case';
import { linkExpiry, type Language, type UploadRequest } from './upload-request';
import {
  CaseClosedError,
  CaseNotKnownYetError,
  UploadRequestClosedError,
  UploadRequestNotFoundError,
} from './upload-request-errors';
import { UploadRequestRepository } from './upload-request.repository';

export const UPLOAD_LINKS = 'id-vault:upload-links';
export interface UploadLinkSettings {
  readonly publicBaseUrl: string;
  readonly ttlMinutes: number;
}

export interface CreateUploadRequest {
  readonly caseId: string;
  readonly language: Language;
  /** Documents to ask for; the case's requirement when omitted. */
  readonly documents?: readonly DocumentTypeName[];
  readonly idempotencyKey?: string;
  /** The calling service. */
  readonly requestedBy: string;
}

export interface IssuedUploadLink {
  readonly requestId: string;
  /** Contains the one-time secret: returned to the caller once, never stored, logged or published. */
  readonly uploadUrl: string;
  readonly expiresAt: Date;
  readonly replacesRequestId: string | null;
}

export function eventSubject(c: VaultCase, requestId: string): EventSubject {
  return {
    caseId: c.caseId,
    tenantId: c.tenantId,
    parcelId: c.parcelId,
    carrierCode: c.carrierCode,
    trackingNumber: c.trackingNumber,
    propertyId: c.propertyId,
    requestId,
  };
}

/**
 * Issues one-time upload links for cases (called by notification over authenticated internal
 * HTTP, so the secret never travels on Kafka). One live link per case: a new one (the re-upload
 * after a rejection) supersedes the previous, whose token stops working at once.
 */
@Injectable()
export class UploadRequestsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cases: VaultCaseRepository,
    private readonly requests: UploadRequestRepository,
    private readonly events: VaultEventWriter,
    private readonly audit: AuditTrail,
    @Inject(UPLOAD_LINKS) private readonly links: UploadLinkSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('id-vault-upload-requests') private readonly logger: PinoLogger,
  ) {}

  create(input: CreateUploadRequest): Promise<IssuedUploadLink> {
    return this.uow.transaction(async (m) => {
      const c = await this.cases.find(m, input.caseId, { lock: true });
      if (!c) throw new CaseNotKnownYetError(input.caseId);
      if (c.state === 'closed') throw new CaseClosedError(input.caseId);
      const now = this.clock();
      const expiresAt = linkExpiry(now, this.links.ttlMinutes, c.deadline);
      const secret = issueSecret();

      // A retried call (the caller timed out and never saw our answer) gets the same request with
      // a fresh secret: the first secret was never delivered, so nothing that works is lost.
      const retried = input.idempotencyKey
        ? await this.requests.findByIdempotencyKey(m, c.caseId, input.idempotencyKey)
        : undefined;
      if (retried && retried.status === 'open') {
        await this.requests.rotateToken(m, retried.id, secret.hash, expiresAt);
        return this.issued(retried.id, secret.token, expiresAt, retried.replacesRequestId);
      }
      if (retried) throw new UploadRequestClosedError(retried.id, retried.status);

      const previous = await this.requests.findOpenForCase(m, c.caseId);
      if (previous) await this.requests.setStatus(m, previous.id, 'superseded', now);
      const request: UploadRequest = {
        id: this.newId('ur'),
        caseId: c.caseId,
        tenantId: c.tenantId,
        propertyId: c.propertyId,
        parcelId: c.parcelId,
        requiredDocuments: input.documents?.length ? input.documents : c.requiredDocuments,
        language: input.language,
        status: 'open',
        expiresAt,
        replacesRequestId: previous?.id ?? null,
        attempts: 0,
        createdAt: now,
      };
      await this.requests.insert(m, {
        request,
        tokenHash: secret.hash,
        requestedBy: input.requestedBy,
        idempotencyKey: input.idempotencyKey ?? null,
      });
      await this.events.append(
        m,
        eventSubject(c, request.id),
        uploadRequested(eventSubject(c, request.id), now, {
          expiresAt,
          documents: request.requiredDocuments,
          replacesRequestId: request.replacesRequestId,
        }),
      );
      await this.audit.record(m, {
        actor: { kind: 'service', id: input.requestedBy },
        action: 'upload_request.created',
        purpose: 'document_collection',
        subject: { type: 'upload_request', id: request.id },
        caseId: c.caseId,
        tenantId: c.tenantId,
        details: { replaces: request.replacesRequestId, expiresAt: expiresAt.toISOString() },
      });
      this.logger.info(
        { caseId: c.caseId, requestId: request.id, replaces: request.replacesRequestId },
        'upload link issued',
      );
      return this.issued(request.id, secret.token, expiresAt, request.replacesRequestId);
    });
  }

  revoke(requestId: string, by: string): Promise<void> {
    return this.uow.transaction(async (m) => {
      const r = await this.requests.find(m, requestId, { lock: true });
      if (!r) throw new UploadRequestNotFoundError(requestId);
      if (r.status !== 'open') return; // revoking twice, or a used link: nothing left to stop
      await this.requests.setStatus(m, r.id, 'revoked', this.clock());
      await this.audit.record(m, {
        actor: { kind: 'service', id: by },
        action: 'upload_request.revoked',
        purpose: 'link_withdrawal',
        subject: { type: 'upload_request', id: r.id },
        caseId: r.caseId,
        tenantId: r.tenantId,
      });
    });
  }

  private issued(
    requestId: string,
    token: string,
    expiresAt: Date,
    replaces: string | null,
  ): IssuedUploadLink {
    return {
      requestId,
      uploadUrl: `${this.links.publicBaseUrl}/u/${token}`,
      expiresAt,
      replacesRequestId: replaces,
    };
  }
}
