import { carrier } from '@portico/contracts';
import type { TrackingSignal } from '../cases/tracking-update';
import type { HoldFeatures } from './hold-features';

/**
 * What a tracking event means for the hold history, and what to do about it. Pure: the service
 * loads the chunk's history rows (locked), the chunk's fold asks `planObservation` for each record
 * on the row as the earlier records left it, and the service writes what the fold says.
 */

export type ObservationKind =
  /** Customs hold for ID documents: the outcome the predictor is about. */
  | 'document_hold'
  /** Released, out for delivery, delivered or returned: the parcel got past customs (or never will). */
  | 'resolved'
  /** Info received / in transit: the parcel is on its way and customs has not spoken yet. */
  | 'in_transit'
  /** Anything else (other holds, pickup, failed delivery …): only recorded as a sighting. */
  | 'other';

export function observationKindOf(signal: TrackingSignal, status: carrier.TrackingStatus): ObservationKind {
  if (signal.kind === 'hold') return signal.reason === 'id_documents_required' ? 'document_hold' : 'other';
  if (signal.kind === 'released' || signal.kind === 'returned_to_sender') return 'resolved';
  if (status === carrier.TrackingStatus.INFO_RECEIVED || status === carrier.TrackingStatus.IN_TRANSIT) {
    return 'in_transit';
  }
  return 'other';
}

/** A parcel's row in `clearance_hold_history`, as far as planning needs it. */
export interface HoldHistoryState {
  readonly features: HoldFeatures;
  readonly firstSeenAt: Date;
  readonly heldAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly predictedAt: Date | null;
}

export interface Observation {
  readonly kind: ObservationKind;
  /** The tracking event's occurred_at: history is on the parcel's own timeline. */
  readonly occurredAt: Date;
  /** carrier-ingestion had already seen a newer update of the parcel. */
  readonly late: boolean;
}

export interface ObservationPlan {
  /** No row yet: insert one with the event's features (first sight). */
  readonly create: boolean;
  /** Set held_at (first document hold only). */
  readonly markHeldAt: Date | null;
  /** Set resolved_at (first outcome only: a hold, or getting past customs without one). */
  readonly markResolvedAt: Date | null;
  /** Estimate, and maybe emit HoldPredicted, in this transaction. */
  readonly predict: boolean;
}

/**
 * Only the first hold counts and only the first outcome resolves, so a repeated hold, a redelivered
 * release or a re-hold after release never moves the counts twice. A parcel released first and held
 * for documents later (rare, but carriers do it) becomes held: its resolution stays where it was.
 *
 * Prediction: on an in-transit status, for a parcel that has no outcome yet and no estimate yet.
 * A late in-transit event is skipped: the parcel has moved on, whatever the newer update was.
 */
export function planObservation(existing: HoldHistoryState | undefined, o: Observation): ObservationPlan {
  const heldAt = existing?.heldAt ?? null;
  const resolvedAt = existing?.resolvedAt ?? null;
  const markHeldAt = o.kind === 'document_hold' && heldAt === null ? o.occurredAt : null;
  const markResolvedAt =
    (o.kind === 'document_hold' || o.kind === 'resolved') && resolvedAt === null ? o.occurredAt : null;
  const predict =
    o.kind === 'in_transit' &&
    !o.late &&
    heldAt === null &&
    resolvedAt === null &&
    (existing?.predictedAt ?? null) === null;
  return { create: existing === undefined, markHeldAt, markResolvedAt, predict };
}

/** Whether the plan changes anything stored (a sighting of a known parcel usually does not). */
export function changesHistory(plan: ObservationPlan): boolean {
  return plan.create || plan.markHeldAt !== null || plan.markResolvedAt !== null || plan.predict;
}

/** The tenant's setting as it applies to one parcel. */
export interface EffectiveSettings {
  readonly threshold: number;
  readonly enabled: boolean;
}

/** At or above the threshold emits: a tenant setting 0.8 wants "0.8 or more" warned. */
export function shouldEmit(probability: number, settings: EffectiveSettings): boolean {
  return settings.enabled && probability >= settings.threshold;
}
