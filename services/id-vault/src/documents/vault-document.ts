import type { DocumentSideName, DocumentTypeName } from '../shared/document-types';

export type DocumentStatus = 'submitted' | 'approved' | 'rejected' | 'relayed' | 'purged';

/** A stored document's metadata. The parts themselves are sealed (SealedDocuments). */
export interface VaultDocument {
  readonly id: string;
  readonly requestId: string;
  readonly caseId: string;
  readonly tenantId: string;
  readonly propertyId: string | null;
  readonly parcelId: string;
  readonly documentType: DocumentTypeName;
  readonly sides: readonly DocumentSideName[];
  readonly version: number;
  readonly channel: 'resident_upload' | 'steward_assisted';
  readonly consentId: string;
  readonly attempt: number;
  readonly status: DocumentStatus;
  /** Per-side measurements (sharpness, size) for the steward's side-by-side view. No personal data. */
  readonly checkSummary: Readonly<Record<string, unknown>>;
  readonly hasTypedFields: boolean;
  readonly submittedAt: Date;
  readonly reviewedAt: Date | null;
  readonly reviewerId: string | null;
  readonly rejectionReason: string | null;
  readonly purgedAt: Date | null;
}

/** A steward can decide on a document that is waiting; a decided or purged one is final. */
export function canReview(d: Pick<VaultDocument, 'status'>): boolean {
  return d.status === 'submitted';
}
