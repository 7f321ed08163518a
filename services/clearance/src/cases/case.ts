import type { TimerRules } from '../deadlines/timer-rules';
import type { CaseState } from './case-state';

/**
 * The clearance vocabulary in the service's own terms (snake_case strings, as stored and as shown by
 * the API). Protobuf enums appear only at the edges: tracking-update.ts (in) and case-events.ts (out).
 */

/** Why customs holds the parcel. UNSPECIFIED holds are treated as `other`. */
export const HOLD_REASONS = ['id_documents_required', 'duties_unpaid', 'inspection', 'other'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

// Document type names are the platform's (libs/contracts), shared with id-vault.
export { DOCUMENT_TYPES, type DocumentTypeName } from '@portico/contracts';
import type { DocumentTypeName } from '@portico/contracts';

export type DocumentSide = 'front' | 'back' | 'single_page';

/**
 * The sides a document type needs. A property of the type itself (the contract's DocumentType says
 * "both sides are required" for cards), not of a policy: events carry types only, so a policy that
 * asked for one side of a card could not be expressed downstream.
 */
export const DOCUMENT_SIDES: Readonly<Record<DocumentTypeName, readonly DocumentSide[]>> = {
  resident_id_card: ['front', 'back'],
  passport: ['single_page'],
  hk_macao_travel_permit: ['front', 'back'],
  taiwan_travel_permit: ['front', 'back'],
  duty_payment_proof: ['single_page'],
  proof_of_value: ['single_page'],
};

export const EXPEDITE_REASONS = ['high_value', 'perishable', 'short_deadline'] as const;
export type ExpediteReason = (typeof EXPEDITE_REASONS)[number];

export type DeadlineSource = 'carrier' | 'policy';
export type CaseOrigin = 'tracking_event' | 'front_desk_report';

/** Tracking statuses that show customs let the parcel go (the contract's ClearanceTrigger). */
export type ClearanceTrigger = 'customs_released' | 'out_for_delivery' | 'delivered';

/** What caused a transition, as kept in the case history. */
export type TransitionCause =
  | 'customs_hold'
  | 'front_desk_report'
  | ClearanceTrigger
  | 'returned_to_sender'
  | 'documents_submitted'
  | 'document_reviewed'
  | 'document_rejected'
  | 'document_relayed'
  | 'deadline_passed';

/** How the round's documents reached the vault (the secure-channel share of the review metrics). */
export type DocumentsChannel = 'secure_upload' | 'steward_assisted';

/** How a case ended, the `outcome` label of portico_clearance_cases_closed_total. */
export type CloseOutcome = 'cleared' | 'returned_to_sender' | 'expired';

export interface ParcelIdentity {
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
}

/** Keyed digest of the waybill name (never the name): passed on to id-vault's name match. */
export interface NameDigest {
  readonly value: Uint8Array;
  readonly keyId: string;
}

/** One clearance case as stored in `clearance_cases`. */
export interface ClearanceCase {
  readonly id: string;
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly holdReason: HoldReason;
  /** `<hold reason>#<episode>`: see the migration for why holds are keyed this way. */
  readonly holdKey: string;
  readonly state: CaseState;
  readonly requiredDocuments: readonly DocumentTypeName[];
  readonly documentsRound: number;
  readonly deadline: Date;
  readonly deadlineSource: DeadlineSource;
  readonly expedited: boolean;
  readonly expediteReasons: readonly ExpediteReason[];
  readonly origin: CaseOrigin;
  readonly policyId: string;
  readonly triggerEventId: string;
  readonly recipientNameDigest: NameDigest | null;
  /** When customs put the hold on (the tracking event's occurred_at). */
  readonly holdOccurredAt: Date;
  /** occurred_at of the newest tracking event applied to the case; older events never change it. */
  readonly lastEventAt: Date;
  readonly openedAt: Date;
  readonly updatedAt: Date;
  readonly closedAt: Date | null;
  readonly version: number;
  /** Learned from notification's RecipientResolved; null until then. */
  readonly propertyId: string | null;
  /** The steward's acknowledgement SLA of the current documents round. */
  readonly ackDueAt: Date | null;
  readonly acknowledgedAt: Date | null;
  readonly ackSlaBreachedAt: Date | null;
  /** When the current round's documents were all in, and how they came. */
  readonly documentsReceivedAt: Date | null;
  readonly documentsChannel: DocumentsChannel | null;
  /**
   * The clock this case runs on, fixed when it opened (its policy's rules, or the service default);
   * null only for cases opened before timer rules were policy data (the default applies).
   */
  readonly timerRules: TimerRules | null;
}

/** One row of `clearance_case_transitions`. `from` is null for the case's creation. */
export interface CaseTransition {
  readonly caseId: string;
  readonly from: CaseState | null;
  readonly to: CaseState;
  readonly at: Date;
  readonly cause: TransitionCause;
  readonly causeEventId: string | null;
}

export function isOpen(c: Pick<ClearanceCase, 'closedAt'>): boolean {
  return c.closedAt === null;
}

export function holdKeyOf(reason: HoldReason, episode: number): string {
  return `${reason}#${episode}`;
}
