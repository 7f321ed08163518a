import type { DocumentsChannel, DocumentTypeName } from '../cases/case';

/** A document id-vault stored for a case, as clearance tracks it (`clearance_case_documents`). */
export interface CaseDocument {
  readonly documentId: string;
  readonly round: number;
  readonly type: DocumentTypeName;
  readonly uploadRequestId: string;
  readonly channel: DocumentsChannel;
  readonly status: DocumentStatus;
  readonly grantId: string | null;
  readonly submittedAt: Date;
}

/** submitted -> approved -> relayed, or rejected (final for that document: a new one is uploaded). */
export type DocumentStatus = 'submitted' | 'approved' | 'rejected' | 'relayed';

const PROGRESS: Readonly<Record<DocumentStatus, number>> = {
  rejected: -1,
  submitted: 0,
  approved: 1,
  relayed: 2,
};

/**
 * The document that currently stands for each required type: the newest one not rejected, from any
 * round (a document approved in round 1 still counts when only the other one was rejected).
 * Pure, so "is the round complete" has one definition for every event that asks.
 */
export function currentDocuments(
  required: readonly DocumentTypeName[],
  documents: readonly CaseDocument[],
): Map<DocumentTypeName, CaseDocument> {
  const current = new Map<DocumentTypeName, CaseDocument>();
  for (const d of documents) {
    if (d.status === 'rejected' || !required.includes(d.type)) continue;
    const held = current.get(d.type);
    if (!held || d.submittedAt > held.submittedAt) current.set(d.type, d);
  }
  return current;
}

/** Every required type has a current document at least this far along. */
export function allAtLeast(
  required: readonly DocumentTypeName[],
  documents: readonly CaseDocument[],
  status: Exclude<DocumentStatus, 'rejected'>,
): boolean {
  const current = currentDocuments(required, documents);
  return required.every((t) => {
    const d = current.get(t);
    return d !== undefined && PROGRESS[d.status] >= PROGRESS[status];
  });
}

/** Secure upload unless a steward uploaded any of them for the resident (the metric is strict). */
export function channelOf(documents: readonly CaseDocument[]): DocumentsChannel {
  return documents.some((d) => d.channel === 'steward_assisted') ? 'steward_assisted' : 'secure_upload';
}

/** Types whose current document was rejected and not yet replaced: what a re-request asks for. */
export function typesToReupload(
  required: readonly DocumentTypeName[],
  documents: readonly CaseDocument[],
): DocumentTypeName[] {
  const current = currentDocuments(required, documents);
  return required.filter((t) => !current.has(t));
}
