import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  documentTypeFromContract,
  REJECTION_REASONS,
  rejectionReasonFromContract,
  rejectionReasonToContract,
  vault,
  type RejectionReasonName,
} from '@portico/contracts';
import type { DocumentsChannel, DocumentTypeName } from '../cases/case';

/**
 * `vault.document.v1` in clearance's terms. id-vault's events carry ids and verdicts only (no ID
 * number, no image, no name), and clearance keeps only what moves the case and feeds the metrics.
 */

// Names and contract enums of document types and rejection reasons: libs/contracts (shared with id-vault).
export type RejectionReason = RejectionReasonName;
export { REJECTION_REASONS, rejectionReasonToContract };

/** What the record's headers say (the event context), for fields an event left empty. */
export interface RecordMeta {
  readonly eventId: string;
  readonly occurredAt: Date;
}

interface VaultNoticeBase {
  /** The record's `event-id`: cause of the change, and the idempotence key of activity rows. */
  readonly eventId: string;
  readonly caseId: string;
  readonly tenantId: string;
  readonly documentId: string;
  readonly occurredAt: Date;
}

export interface DocumentSubmittedNotice extends VaultNoticeBase {
  readonly type: DocumentTypeName;
  readonly uploadRequestId: string;
  readonly channel: DocumentsChannel;
}
export interface DocumentApprovedNotice extends VaultNoticeBase {
  readonly stewardId: string;
}
export interface DocumentRejectedNotice extends VaultNoticeBase {
  readonly reason: RejectionReason;
  /** Empty when the carrier rejected it after the relay. */
  readonly stewardId: string;
}
export interface DocumentRelayedNotice extends VaultNoticeBase {
  readonly grantId: string;
}

/** undefined when the event cannot concern a clearance case (no case id, or a type clearance never asks for). */
export function submittedNotice(
  e: vault.DocumentSubmitted,
  meta: RecordMeta,
): DocumentSubmittedNotice | undefined {
  const type = documentTypeFromContract(e.documentType);
  if (!e.caseId || !type) return undefined;
  return {
    ...base(e, meta),
    type,
    uploadRequestId: e.requestId,
    channel: e.channel === vault.SubmissionChannel.STEWARD_ASSISTED ? 'steward_assisted' : 'secure_upload',
  };
}

export function approvedNotice(
  e: vault.DocumentApproved,
  meta: RecordMeta,
): DocumentApprovedNotice | undefined {
  if (!e.caseId) return undefined;
  return { ...base(e, meta), stewardId: e.stewardId };
}

export function rejectedNotice(
  e: vault.DocumentRejected,
  meta: RecordMeta,
): DocumentRejectedNotice | undefined {
  if (!e.caseId) return undefined;
  return { ...base(e, meta), reason: rejectionReasonFromContract(e.reason), stewardId: e.stewardId };
}

export function relayedNotice(e: vault.DocumentRelayed, meta: RecordMeta): DocumentRelayedNotice | undefined {
  if (!e.caseId) return undefined;
  return { ...base(e, meta), grantId: e.grantId };
}

function base(
  e: { caseId: string; tenantId: string; documentId: string; occurredAt?: Timestamp },
  meta: RecordMeta,
): VaultNoticeBase {
  return {
    eventId: meta.eventId,
    caseId: e.caseId,
    tenantId: e.tenantId,
    documentId: e.documentId,
    occurredAt: e.occurredAt ? timestampDate(e.occurredAt) : meta.occurredAt,
  };
}
