import type { Money, ParcelIdentity } from '../parcels/parcel';
import type { CustomerDecision, ServiceLevels } from '../settings/claim-settings';
import type { ClaimState } from './claim-state';

/**
 * The claims vocabulary in the service's own terms (snake_case, as stored and shown by the API).
 * Protobuf enums appear only at the edges: tracking-observation.ts (in) and claim-events.ts (out).
 */
export const CLAIM_REASONS = [
  'no_scan',
  'past_estimated_delivery',
  'not_received',
  'carrier_lost',
  'carrier_damaged',
  'carrier_returned',
  'damaged_on_arrival',
] as const;
export type ClaimReason = (typeof CLAIM_REASONS)[number];

/** Loss or damage: the scorecards' two rates. A return counts as a loss to the customer. */
export function incidentKindOf(reason: ClaimReason): 'loss' | 'damage' {
  return reason === 'carrier_damaged' || reason === 'damaged_on_arrival' ? 'damage' : 'loss';
}

export type ClaimOrigin = 'detection' | 'resident' | 'front_desk' | 'operator';
export type CloseReason = 'resolved' | 'parcel_found' | 'withdrawn' | 'cancelled' | 'settled_without_filing';
export type ClaimOutcome = 'approved' | 'partially_approved' | 'rejected';
export type VerificationSource = 'property_desk' | 'parcel_locker' | 'neighbours' | 'recipient' | 'other';
export type VerificationOutcome = 'not_found' | 'found' | 'no_answer';
export type InquiryOutcome =
  'located' | 'not_located' | 'confirmed_lost' | 'confirmed_damaged' | 'no_response';
export type CarrierChannel = 'api' | 'email';
export type ServiceLevelName =
  'acknowledgement' | 'customer_explanation' | 'damage_assessment' | 'customer_decision' | 'carrier_response';
export const SERVICE_LEVEL_NAMES: readonly ServiceLevelName[] = [
  'acknowledgement',
  'customer_explanation',
  'damage_assessment',
  'customer_decision',
  'carrier_response',
];

/** What caused a transition, as kept in the history. */
export type TransitionCause =
  | `detected:${ClaimReason}`
  | 'reported'
  | 'verification_recorded'
  | 'inquiry_sent'
  | 'inquiry_answered'
  | 'inquiry_timed_out'
  | 'decision_recorded'
  | 'decision_defaulted'
  | 'claim_filed'
  | 'carrier_review'
  | 'carrier_decision'
  | 'parcel_found'
  | 'parcel_moved'
  | 'closed_by_staff';

/** One claim as stored in `claims_claims`. */
export interface Claim {
  readonly id: string;
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly propertyId: string | null;
  readonly lane: string;
  readonly reason: ClaimReason;
  readonly origin: ClaimOrigin;
  readonly ruleId: string;
  readonly incidentKey: string;
  readonly triggerEventId: string;
  readonly state: ClaimState;
  readonly version: number;
  /** Fixed when the claim opened: later tenant edits never move a running claim's clocks. */
  readonly serviceLevels: ServiceLevels;
  readonly defaultDecision: CustomerDecision;
  readonly lastScanAt: Date | null;
  readonly openedAt: Date;
  readonly updatedAt: Date;
  readonly closedAt: Date | null;
  readonly closeReason: CloseReason | null;
  readonly acknowledgedAt: Date | null;
  readonly explainedAt: Date | null;
  readonly assessedAt: Date | null;
  readonly decision: CustomerDecision | null;
  readonly decisionDefaulted: boolean | null;
  readonly decisionDueAt: Date | null;
  readonly outcome: ClaimOutcome | null;
  readonly granted: Money | null;
  readonly resolvedAt: Date | null;
  readonly openedBy: string | null;
}

export interface ClaimTransition {
  readonly claimId: string;
  readonly from: ClaimState | null;
  readonly to: ClaimState;
  readonly at: Date;
  readonly cause: TransitionCause;
  readonly actorId: string | null;
  readonly causeEventId: string | null;
}

export function isOpen(c: Pick<Claim, 'closedAt'>): boolean {
  return c.closedAt === null;
}

export function needsDamageAssessment(reason: ClaimReason): boolean {
  return incidentKindOf(reason) === 'damage';
}
