import type { DocumentTypeName } from '../shared/document-types';

/**
 * What the vault knows about a clearance case, from `clearance.case.v1`: enough to label an
 * upload page (carrier, waybill), bound a link's life (deadline), check a typed name (the waybill
 * name's keyed digest, never the name) and start the retention clock when the case closes.
 */
export interface VaultCase {
  readonly caseId: string;
  readonly tenantId: string;
  readonly propertyId: string | null;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly requiredDocuments: readonly DocumentTypeName[];
  readonly deadline: Date | null;
  /** `<keyId>:<base64 HMAC>` of the waybill recipient's name, null when the carrier gave none. */
  readonly recipientNameDigest: string | null;
  readonly state: 'open' | 'closed';
  readonly closedAt: Date | null;
}

export type CaseClosure = 'cleared' | 'expired' | 'returned_to_sender' | 'cancelled';

/** Retention: documents of a closed case are purged this long after it closed (7 days at most). */
export function purgeDueAt(closedAt: Date, purgeAfterDays: number): Date {
  return new Date(closedAt.getTime() + purgeAfterDays * 86_400_000);
}

/**
 * Backstop for a case whose closing event never reaches the vault (or a case that stays open far
 * past its deadline): documents go at the deadline plus retention, and 30 days after upload when
 * there is no deadline. A later closure brings the purge forward, never back.
 */
export function backstopPurgeAt(
  c: Pick<VaultCase, 'deadline'>,
  submittedAt: Date,
  purgeAfterDays: number,
): Date {
  const base = c.deadline ?? new Date(submittedAt.getTime() + 30 * 86_400_000);
  return purgeDueAt(base > submittedAt ? base : submittedAt, purgeAfterDays);
}
