import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { common, vault, VaultDocumentEventSchema, type VaultDocumentEvent } from '@portico/contracts';
import {
  documentSideToContract,
  documentTypeToContract,
  type DocumentSideName,
  type DocumentTypeName,
} from '../shared/document-types';

/**
 * Builders of `vault.document.v1` events. Ids and verdicts only, by construction: the inputs have
 * no field that could hold a name, an ID number, an image, a link or a token.
 */

/** The identity block every vault event starts with (fields 1 to 7 of each message). */
export interface EventSubject {
  readonly caseId: string;
  readonly tenantId: string;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly propertyId: string | null;
  readonly requestId: string;
}

function identity(s: EventSubject, at: Date) {
  return {
    caseId: s.caseId,
    tenantId: s.tenantId,
    parcel: create(common.ParcelRefSchema, {
      parcelId: s.parcelId,
      carrierCode: s.carrierCode,
      trackingNumber: s.trackingNumber,
    }),
    propertyId: s.propertyId ?? '',
    requestId: s.requestId,
    occurredAt: timestampFromDate(at),
  };
}

function event<K extends NonNullable<VaultDocumentEvent['event']['case']>>(
  kind: K,
  value: Extract<VaultDocumentEvent['event'], { case: K }>['value'],
): VaultDocumentEvent {
  return create(VaultDocumentEventSchema, { event: { case: kind, value } as VaultDocumentEvent['event'] });
}

export function uploadRequested(
  s: EventSubject,
  at: Date,
  r: { expiresAt: Date; documents: readonly DocumentTypeName[]; replacesRequestId: string | null },
): VaultDocumentEvent {
  return event(
    'uploadRequested',
    create(vault.UploadRequestedSchema, {
      ...identity(s, at),
      expiresAt: timestampFromDate(r.expiresAt),
      requiredDocuments: r.documents.map(documentTypeToContract),
      replacesRequestId: r.replacesRequestId ?? '',
    }),
  );
}

export function documentSubmitted(
  s: EventSubject,
  at: Date,
  d: {
    documentId: string;
    type: DocumentTypeName;
    sides: readonly DocumentSideName[];
    channel: 'resident_upload' | 'steward_assisted';
    consentId: string;
    consentVersion: string;
    attempt: number;
  },
): VaultDocumentEvent {
  return event(
    'documentSubmitted',
    create(vault.DocumentSubmittedSchema, {
      ...identity(s, at),
      documentId: d.documentId,
      documentType: documentTypeToContract(d.type),
      sides: d.sides.map(documentSideToContract),
      channel:
        d.channel === 'resident_upload'
          ? vault.SubmissionChannel.RESIDENT_UPLOAD
          : vault.SubmissionChannel.STEWARD_ASSISTED,
      consentId: d.consentId,
      consentVersion: d.consentVersion,
      attempt: d.attempt,
    }),
  );
}

export function documentChecksFailed(
  s: EventSubject,
  at: Date,
  d: {
    type: DocumentTypeName;
    failures: ReadonlyArray<{ code: vault.DocumentCheckCode; side?: DocumentSideName }>;
    attempt: number;
  },
): VaultDocumentEvent {
  return event(
    'documentChecksFailed',
    create(vault.DocumentChecksFailedSchema, {
      ...identity(s, at),
      documentType: documentTypeToContract(d.type),
      failures: d.failures.map((f) =>
        create(vault.CheckFailureSchema, {
          code: f.code,
          side: f.side ? documentSideToContract(f.side) : common.DocumentSide.UNSPECIFIED,
        }),
      ),
      attempt: d.attempt,
    }),
  );
}

export function documentApproved(
  s: EventSubject,
  at: Date,
  documentId: string,
  stewardId: string,
): VaultDocumentEvent {
  return event(
    'documentApproved',
    create(vault.DocumentApprovedSchema, { ...identity(s, at), documentId, stewardId }),
  );
}

export function documentRejected(
  s: EventSubject,
  at: Date,
  documentId: string,
  reason: common.DocumentRejectionReason,
  stewardId: string,
): VaultDocumentEvent {
  return event(
    'documentRejected',
    create(vault.DocumentRejectedSchema, { ...identity(s, at), documentId, reason, stewardId }),
  );
}

export function documentRelayed(
  s: EventSubject,
  at: Date,
  g: {
    documentId: string;
    grantId: string;
    expiresAt: Date;
    maxUses: number;
    recipientKind: 'carrier' | 'customs_broker';
    recipientId: string;
    adapter: string;
  },
): VaultDocumentEvent {
  return event(
    'documentRelayed',
    create(vault.DocumentRelayedSchema, {
      ...identity(s, at),
      documentId: g.documentId,
      grantId: g.grantId,
      expiresAt: timestampFromDate(g.expiresAt),
      maxUses: g.maxUses,
      recipientKind:
        g.recipientKind === 'carrier'
          ? vault.RelayRecipientKind.CARRIER
          : vault.RelayRecipientKind.CUSTOMS_BROKER,
      recipientId: g.recipientId,
      adapter: g.adapter,
    }),
  );
}

export type PurgeReasonName = 'retention_elapsed' | 'consent_withdrawn' | 'superseded' | 'operator';

const PURGE_REASON: Readonly<Record<PurgeReasonName, vault.PurgeReason>> = {
  retention_elapsed: vault.PurgeReason.RETENTION_ELAPSED,
  consent_withdrawn: vault.PurgeReason.CONSENT_WITHDRAWN,
  superseded: vault.PurgeReason.SUPERSEDED,
  operator: vault.PurgeReason.OPERATOR,
};

export function documentPurged(
  s: EventSubject,
  at: Date,
  documentId: string,
  reason: PurgeReasonName,
): VaultDocumentEvent {
  return event(
    'documentPurged',
    create(vault.DocumentPurgedSchema, { ...identity(s, at), documentId, reason: PURGE_REASON[reason] }),
  );
}
