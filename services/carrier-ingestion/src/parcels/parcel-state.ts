import type { TrackingStatus } from '../webhooks/tracking-update';

/** One canonical update of a parcel, as the projection sees it (no personal data). */
export interface ParcelScan {
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly status: TrackingStatus;
  /** The carrier's time of the update. */
  readonly occurredAt: Date;
}

export interface ParcelState {
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly status: TrackingStatus;
  /** The carrier's time of the update that set `status`; undefined before the first. */
  readonly statusOccurredAt?: Date;
  readonly firstSeenAt: Date;
  readonly lastScanAt?: Date;
  readonly updates: number;
  readonly lateUpdates: number;
}

/**
 * Folds a parcel's new updates, in the order they arrived, into its state. An update older than
 * the one that set the current status is late: it counts, and is published marked as late, but the
 * status stays (a "in transit" scan delivered after "delivered" must not undo the delivery). Ties
 * go to the newer arrival, so a carrier correcting an update at the same time wins.
 */
export function applyScans(
  state: ParcelState,
  scans: readonly ParcelScan[],
): { state: ParcelState; late: readonly boolean[] } {
  let next = state;
  const late = scans.map((scan) => {
    const isLate = next.statusOccurredAt !== undefined && scan.occurredAt < next.statusOccurredAt;
    next = {
      ...next,
      ...(isLate ? {} : { status: scan.status, statusOccurredAt: scan.occurredAt }),
      lastScanAt: next.lastScanAt && next.lastScanAt > scan.occurredAt ? next.lastScanAt : scan.occurredAt,
      updates: next.updates + 1,
      lateUpdates: next.lateUpdates + (isLate ? 1 : 0),
    };
    return isLate;
  });
  return { state: next, late };
}

/** A parcel heard of for the first time: no update applied yet. */
export function unseenParcel(scan: ParcelScan, seenAt: Date): ParcelState {
  return {
    parcelId: scan.parcelId,
    carrierCode: scan.carrierCode,
    trackingNumber: scan.trackingNumber,
    status: 'unknown',
    firstSeenAt: seenAt,
    updates: 0,
    lateUpdates: 0,
  };
}
