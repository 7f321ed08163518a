import type { CaseTransition, ClearanceCase, HoldReason } from '../cases/case';
import type { CaseState } from '../cases/case-state';
import {
  HOLD_REASON_LABELS,
  progressOf,
  type Language,
  type Localized,
  type NextAction,
  type Step,
} from './case-progress';

/**
 * What `GET /v1/resident/status` answers. Built field by field from an allow-list, never by
 * spreading a case: whoever holds the link (it may be forwarded, or read over a shoulder) learns
 * where the clearance stands and nothing about the person. No name or name digest, no phone, no
 * address, no tenant, parcel or event ids, and the tracking number only as its last four
 * characters, which with the carrier is what lets a resident with several parcels tell which one
 * this is, while being useless for looking the parcel up anywhere.
 */
export interface ResidentStatusView {
  /** The case id: opaque, and what the front desk needs to find the case when the resident calls. */
  reference: string;
  /** The language the page should show first (both are always present). */
  language: Language;
  parcel: { carrierCode: string; trackingNumberLast4: string | null };
  holdReason: { code: HoldReason; label: Localized };
  state: CaseState;
  open: boolean;
  steps: Step[];
  nextAction: NextAction;
  deadline: string;
  expedited: boolean;
  updatedAt: string;
  linkExpiresAt: string;
}

/** Shorter numbers would be given away almost whole by their last four characters. */
const MIN_TRACKING_LENGTH_FOR_HINT = 8;

export function trackingNumberHint(trackingNumber: string): string | null {
  return trackingNumber.length >= MIN_TRACKING_LENGTH_FOR_HINT ? trackingNumber.slice(-4) : null;
}

export function toResidentStatusView(input: {
  readonly case: ClearanceCase;
  readonly history: readonly CaseTransition[];
  readonly linkExpiresAt: Date;
  readonly language: Language;
  readonly now: Date;
}): ResidentStatusView {
  const c = input.case;
  const progress = progressOf({
    state: c.state,
    requiredDocuments: c.requiredDocuments,
    visited: input.history.filter((t) => t.caseId === c.id).map((t) => t.to),
    deadline: c.deadline,
    now: input.now,
  });
  return {
    reference: c.id,
    language: input.language,
    parcel: {
      carrierCode: c.parcel.carrierCode,
      trackingNumberLast4: trackingNumberHint(c.parcel.trackingNumber),
    },
    holdReason: { code: c.holdReason, label: HOLD_REASON_LABELS[c.holdReason] },
    state: c.state,
    open: c.closedAt === null,
    steps: [...progress.steps],
    nextAction: progress.nextAction,
    deadline: c.deadline.toISOString(),
    expedited: c.expedited,
    updatedAt: c.updatedAt.toISOString(),
    linkExpiresAt: input.linkExpiresAt.toISOString(),
  };
}
