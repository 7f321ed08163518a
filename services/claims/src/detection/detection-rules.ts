import type { ClaimReason } from '../claims/claim';
import { isInternational, type Parcel } from '../parcels/parcel';
import type { TrackingObservation } from '../parcels/tracking-observation';
import type { ClaimSettings } from '../settings/claim-settings';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Estimated delivery dates are calendar days; the platform's tenants are in UTC+8 (no DST). */
const EDD_OFFSET_MS = 8 * HOUR;

/** Statuses after which the parcel is not expected to scan again: no-scan does not count. */
const AT_REST = new Set(['delivered', 'available_for_pickup']);

/** A detection that fires: the claim reason, the rule's id and the incident key (one claim each). */
export interface Detection {
  readonly reason: ClaimReason;
  readonly ruleId: string;
  readonly incidentKey: string;
}

/**
 * When "no scan for N days" fires for the parcel as it stands, or null when it does not apply:
 * delivered or waiting for pickup (not moving is expected), or a carrier exception that is itself
 * a claim (lost, damaged, returned). Counted from the last scan, so every newer scan re-arms it.
 */
export function noScanDueAt(p: Parcel, s: ClaimSettings): Date | null {
  const rule = s.detection.noScan;
  if (!rule.enabled || AT_REST.has(p.status)) return null;
  if (
    p.status === 'exception' &&
    ['lost', 'damaged', 'returned_to_sender'].includes(p.exceptionReason ?? '')
  ) {
    return null;
  }
  const days = isInternational(p) ? rule.internationalDays : rule.domesticDays;
  return new Date(p.lastScanAt.getTime() + days * DAY);
}

/** When "N hours past the estimated delivery date" fires (end of that day, UTC+8), or null. */
export function pastEstimatedDeliveryDueAt(p: Parcel, s: ClaimSettings): Date | null {
  const rule = s.detection.pastEstimatedDelivery;
  if (!rule.enabled || !p.estimatedDelivery || AT_REST.has(p.status)) return null;
  const [y, m, d] = p.estimatedDelivery.split('-').map(Number) as [number, number, number];
  const endOfDay = Date.UTC(y, m - 1, d + 1) - EDD_OFFSET_MS;
  return new Date(endOfDay + rule.hours * HOUR);
}

/**
 * What a due detection timer does, decided on the parcel as it is now: `moot` when the parcel is
 * gone, scanned again since the timer was armed (`armedLastScan`), or the rule no longer applies;
 * `rearm` when the rule, as the tenant has it now, is not due yet (a raised threshold); `open` at
 * or after the due instant (the boundary is inclusive: due at 7 d 0 ms opens at exactly that time).
 */
export type TimeRuleVerdict = 'moot' | 'rearm' | 'open';

export function timeRuleVerdict(
  p: Parcel | undefined,
  armedLastScan: string,
  dueAt: (p: Parcel) => Date | null,
  now: Date,
): TimeRuleVerdict {
  if (!p || p.lastScanAt.toISOString() !== armedLastScan) return 'moot';
  const due = dueAt(p);
  if (!due) return 'moot';
  return due.getTime() > now.getTime() ? 'rearm' : 'open';
}

export function noScanDetection(p: Parcel, s: ClaimSettings): Detection {
  const days = isInternational(p) ? s.detection.noScan.internationalDays : s.detection.noScan.domesticDays;
  return {
    reason: 'no_scan',
    ruleId: `no_scan:${isInternational(p) ? 'international' : 'domestic'}:${days}d`,
    // one stall per last scan: a later scan that stalls again is a new incident
    incidentKey: `no_scan:${p.lastScanAt.toISOString()}`,
  };
}

export function pastEstimatedDeliveryDetection(p: Parcel, s: ClaimSettings): Detection {
  return {
    reason: 'past_estimated_delivery',
    ruleId: `past_estimated_delivery:${s.detection.pastEstimatedDelivery.hours}h`,
    // one per estimate: a carrier that moves the date starts a new incident
    incidentKey: `past_estimated_delivery:${p.estimatedDelivery}`,
  };
}

/** A carrier exception that is a claim by itself (per the tenant's switches), or null. */
export function carrierExceptionDetection(o: TrackingObservation, s: ClaimSettings): Detection | null {
  if (o.status !== 'exception' || o.late) return null;
  const rules = s.detection.carrierException;
  const reason: ClaimReason | null =
    o.exceptionReason === 'lost' && rules.lost
      ? 'carrier_lost'
      : o.exceptionReason === 'damaged' && rules.damaged
        ? 'carrier_damaged'
        : o.exceptionReason === 'returned_to_sender' && rules.returned
          ? 'carrier_returned'
          : null;
  if (!reason) return null;
  // The carrier's scan time identifies the incident: the same exception re-sent (another webhook,
  // a replay) meets the same key; a new exception after the case closed is a new one.
  return {
    reason,
    ruleId: `carrier_exception:${o.exceptionReason}`,
    incidentKey: `${reason}:${o.occurredAt.toISOString()}`,
  };
}

/**
 * Whether a newer tracking event shows the parcel was found, closing an open claim of `reason`
 * that is still before filing (after filing, the carrier's claim is withdrawn by a person, who
 * closes it with "found"):
 * - no scan / carrier lost: any newer scan that is not itself an exception: it is moving again;
 * - past estimated delivery: delivered or waiting for pickup (a transit scan is still late);
 * - not received / damaged / returned: never (the carrier's scans say nothing about the resident
 *   having it in hand, or about the damage).
 */
export function showsParcelFound(reason: ClaimReason, o: TrackingObservation): boolean {
  if (o.late) return false;
  switch (reason) {
    case 'no_scan':
    case 'carrier_lost':
      return o.status !== 'exception' && o.status !== 'unknown' && o.status !== 'expired';
    case 'past_estimated_delivery':
      return o.status === 'delivered' || o.status === 'available_for_pickup';
    default:
      return false;
  }
}
