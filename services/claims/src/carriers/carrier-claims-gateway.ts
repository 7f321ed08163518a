import type { Money } from '../parcels/parcel';
import type { InquiryOutcome } from '../claims/claim';

/** What a carrier is told: ids, the waybill, amounts, the evidence manifest. Never the recipient. */
export interface CarrierCase {
  readonly claimId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly kind: 'loss' | 'damage';
}

export interface FilingRequest extends CarrierCase {
  readonly filingId: string;
  readonly claimed: Money;
  readonly evidenceBundleId: string;
  /** The manifest (JSON, with SHA-256 of every item) as filed. */
  readonly manifestJson: string;
  readonly manifestSha256: string;
}

export type CarrierClaimStatus =
  'submitted' | 'in_review' | 'approved' | 'partially_approved' | 'rejected' | 'cancelled';

export interface ClaimStatusAnswer {
  readonly status: CarrierClaimStatus;
  readonly approved: Money | null;
  /** The carrier's message thread on the claim, as it returns it. */
  readonly messages: ReadonlyArray<{ id: string; author: string; body: string; at: Date }>;
}

/**
 * One interface for every way of reaching a carrier's claims desk. Adapters answer what they can:
 * an API returns references and statuses; e-mail returns no reference and no status (the carrier
 * answers a person, who records it through the claim actions), signalled by `null`.
 */
export interface CarrierClaimsGateway {
  sendInquiry(c: CarrierCase): Promise<{ reference: string | null }>;
  inquiryStatus(reference: string): Promise<InquiryOutcome | null>;
  fileClaim(f: FilingRequest): Promise<{ reference: string | null }>;
  claimStatus(reference: string): Promise<ClaimStatusAnswer | null>;
}

/** A carrier answered in a way that retrying will not fix (4xx): the request is marked failed. */
export class CarrierRejectedError extends Error {
  constructor(readonly status: number) {
    super(`carrier refused the request (HTTP ${status})`);
    this.name = 'CarrierRejectedError';
  }
}
