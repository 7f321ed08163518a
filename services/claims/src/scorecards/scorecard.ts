import { BadRequestError } from '@portico/service-kit';
import { CLAIM_REASONS, incidentKindOf, type ClaimReason, type CloseReason } from '../claims/claim';
import { isInternational, laneOf } from '../parcels/parcel';

/**
 * Carrier scorecards, pure. The repository aggregates in SQL (GROUP BY carrier, origin,
 * destination); everything here works on those aggregated rows, never on claims one by one.
 *
 * Definitions (also in the README):
 * - cohort: the parcels first seen on the tracking stream in [from, to), per carrier and lane;
 *   `parcelsTracked` is its size and the denominator of the loss and damage rates;
 * - a parcel is *lost* when it has a loss claim (no scan, past EDD, not received, carrier lost,
 *   carrier returned) that ended as a loss: closed `resolved` (the carrier decided) or
 *   `settled_without_filing` (the customer was made whole without a filing). A claim closed as
 *   `parcel_found`, `withdrawn` or `cancelled` is not a loss; an open one is `pending`, outside the
 *   rate until it ends. *Damaged* is the same over the damage reasons (carrier damaged, damaged
 *   on arrival). Parcels are counted once however many claims they had;
 * - approval rates: the cohort's claims the carrier decided (outcome set), split approved /
 *   partially approved / rejected, each over the decided claims;
 * - time to resolve: opened -> closed of the cohort's claims that ended as a loss or damage
 *   (the same claims the rates count), median and p90 (Postgres percentile_cont, interpolated).
 */

export const LOSS_REASONS: readonly ClaimReason[] = CLAIM_REASONS.filter((r) => incidentKindOf(r) === 'loss');
export const DAMAGE_REASONS: readonly ClaimReason[] = CLAIM_REASONS.filter(
  (r) => incidentKindOf(r) === 'damage',
);
/** Close reasons after which the incident stands: the customer lost the parcel (or its value). */
export const INCIDENT_CONFIRMED: readonly CloseReason[] = ['resolved', 'settled_without_filing'];

export const DEFAULT_PERIOD_DAYS = 30;
export const MAX_PERIOD_DAYS = 366;
const DAY = 86_400_000;

/** Parcels of the cohort, one row per carrier and lane (the repository's first GROUP BY). */
export interface TrackedRow {
  readonly carrierCode: string;
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
  readonly parcels: number;
}

/** The cohort's claims aggregated per carrier and lane (the repository's second GROUP BY). */
export interface ClaimAggregateRow {
  readonly carrierCode: string;
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
  readonly lostParcels: number;
  readonly lossPendingParcels: number;
  readonly damagedParcels: number;
  readonly damagePendingParcels: number;
  readonly approved: number;
  readonly partiallyApproved: number;
  readonly rejected: number;
  readonly resolvedClaims: number;
  readonly resolveMedianSeconds: number | null;
  readonly resolveP90Seconds: number | null;
}

export interface Scorecard {
  readonly carrierCode: string;
  /** `JP-CN` (laneOf), `??` for a country the carrier never gave. */
  readonly lane: string;
  readonly international: boolean;
  readonly parcelsTracked: number;
  readonly loss: IncidentFigures;
  readonly damage: IncidentFigures;
  readonly carrierDecisions: {
    readonly decided: number;
    readonly approved: number;
    readonly partiallyApproved: number;
    readonly rejected: number;
    readonly approvalRate: number | null;
    readonly partialApprovalRate: number | null;
    readonly rejectionRate: number | null;
  };
  readonly timeToResolve: {
    readonly claims: number;
    readonly medianSeconds: number | null;
    readonly p90Seconds: number | null;
  };
}

export interface IncidentFigures {
  readonly parcels: number;
  readonly pending: number;
  /** parcels / parcelsTracked; null when nothing was tracked (no rate, rather than 0). */
  readonly rate: number | null;
}

export interface Period {
  readonly from: Date;
  readonly to: Date;
}

/** n / d, or null when d is 0: an empty denominator has no rate (0 would read as "perfect"). */
export function rate(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

const laneKey = (r: Pick<TrackedRow, 'carrierCode' | 'originCountryCode' | 'destinationCountryCode'>) =>
  `${r.carrierCode}\u0000${laneOf(r)}`;

/** A carrier and lane without claims in the cohort. */
export const NO_CLAIMS: Omit<
  ClaimAggregateRow,
  'carrierCode' | 'originCountryCode' | 'destinationCountryCode'
> = {
  lostParcels: 0,
  lossPendingParcels: 0,
  damagedParcels: 0,
  damagePendingParcels: 0,
  approved: 0,
  partiallyApproved: 0,
  rejected: 0,
  resolvedClaims: 0,
  resolveMedianSeconds: null,
  resolveP90Seconds: null,
};

/**
 * One scorecard per carrier and lane of the cohort, ordered by carrier then lane. Claim rows
 * always belong to a tracked row (they are joined to the cohort); one without is still shown,
 * with parcelsTracked 0 and null rates, rather than silently dropped.
 */
export function buildScorecards(
  tracked: readonly TrackedRow[],
  claims: readonly ClaimAggregateRow[],
): Scorecard[] {
  const byLane = new Map<string, { t: TrackedRow; c: ClaimAggregateRow | undefined }>();
  for (const t of tracked) {
    const key = laneKey(t);
    const seen = byLane.get(key);
    // origin/destination null and '??' cannot both occur (laneOf maps one to the other) but sum anyway
    byLane.set(key, { t: seen ? { ...t, parcels: seen.t.parcels + t.parcels } : t, c: seen?.c });
  }
  for (const c of claims) {
    const key = laneKey(c);
    const seen = byLane.get(key);
    byLane.set(key, { t: seen?.t ?? { ...c, parcels: 0 }, c });
  }
  return [...byLane.values()]
    .map(({ t, c }) => scorecardOf(t, c ?? { ...t, ...NO_CLAIMS }))
    .sort((a, b) => a.carrierCode.localeCompare(b.carrierCode) || a.lane.localeCompare(b.lane));
}

function scorecardOf(t: TrackedRow, c: ClaimAggregateRow): Scorecard {
  const decided = c.approved + c.partiallyApproved + c.rejected;
  return {
    carrierCode: t.carrierCode,
    lane: laneOf(t),
    international: isInternational(t),
    parcelsTracked: t.parcels,
    loss: { parcels: c.lostParcels, pending: c.lossPendingParcels, rate: rate(c.lostParcels, t.parcels) },
    damage: {
      parcels: c.damagedParcels,
      pending: c.damagePendingParcels,
      rate: rate(c.damagedParcels, t.parcels),
    },
    carrierDecisions: {
      decided,
      approved: c.approved,
      partiallyApproved: c.partiallyApproved,
      rejected: c.rejected,
      approvalRate: rate(c.approved, decided),
      partialApprovalRate: rate(c.partiallyApproved, decided),
      rejectionRate: rate(c.rejected, decided),
    },
    timeToResolve: {
      claims: c.resolvedClaims,
      medianSeconds: c.resolveMedianSeconds,
      p90Seconds: c.resolveP90Seconds,
    },
  };
}

export const invalidPeriod = (details: Record<string, unknown>) =>
  new BadRequestError(
    'invalid_scorecard_period',
    {
      en: `The period must have from before to and span at most ${MAX_PERIOD_DAYS} days.`,
      zh: `统计区间须满足 from 早于 to，且跨度不超过 ${MAX_PERIOD_DAYS} 天。`,
    },
    details,
  );

/** [from, to): `to` defaults to now, `from` to 30 days before `to`. */
export function periodOf(q: { from?: Date | undefined; to?: Date | undefined }, now: Date): Period {
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY);
  if (from >= to || to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY) {
    throw invalidPeriod({ from: from.toISOString(), to: to.toISOString() });
  }
  return { from, to };
}

/** A lane filter: `JP-CN` -> countries, `??` -> the carrier gave none (NULL in the projection). */
export interface LaneFilter {
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
}

export const LANE_PATTERN = /^([A-Z]{2}|\?\?)-([A-Z]{2}|\?\?)$/;

export function laneFilterOf(lane: string): LaneFilter {
  const m = LANE_PATTERN.exec(lane);
  if (!m) throw new Error(`not a lane: ${lane}`);
  const country = (c: string) => (c === '??' ? null : c);
  return { originCountryCode: country(m[1]!), destinationCountryCode: country(m[2]!) };
}
