import type { Parcel } from './parcel';
import type { TrackingObservation } from './tracking-observation';

export interface Projected {
  readonly next: Parcel;
  /** The event is the parcel's newest: status and last scan moved (time rules re-arm on it). */
  readonly advanced: boolean;
}

/**
 * One tracking observation applied to the projection. Only an event newer than the last scan (and
 * not flagged late by carrier-ingestion) moves status, last scan and estimate: an out-of-order
 * update is history, not news. Facts the projection lacks (lane, declared value, carrier
 * insurance) are filled from any event; insurance set through the API is never overwritten.
 */
export function project(existing: Parcel | undefined, o: TrackingObservation, now: Date): Projected {
  if (!existing) {
    return {
      advanced: true,
      next: {
        tenantId: o.tenantId,
        parcel: o.parcel,
        status: o.status,
        exceptionReason: o.exceptionReason,
        lastScanAt: o.occurredAt,
        lastEventId: o.eventId,
        estimatedDelivery: o.estimatedDelivery,
        originCountryCode: o.originCountryCode,
        destinationCountryCode: o.destinationCountryCode,
        propertyId: null,
        deliveredAt: o.status === 'delivered' ? o.occurredAt : null,
        declaredValue: o.declaredValue,
        insuredValue: o.insuredValue,
        insuredSource: o.insuredValue ? 'carrier' : null,
        firstSeenAt: now,
        updatedAt: now,
      },
    };
  }
  const advanced = !o.late && o.occurredAt > existing.lastScanAt;
  const filled: Parcel = {
    ...existing,
    originCountryCode: existing.originCountryCode ?? o.originCountryCode,
    destinationCountryCode: existing.destinationCountryCode ?? o.destinationCountryCode,
    declaredValue: existing.declaredValue ?? o.declaredValue,
    ...(existing.insuredSource !== 'api' && o.insuredValue
      ? { insuredValue: o.insuredValue, insuredSource: 'carrier' as const }
      : {}),
    updatedAt: now,
  };
  if (!advanced) return { advanced, next: filled };
  return {
    advanced,
    next: {
      ...filled,
      status: o.status,
      exceptionReason: o.exceptionReason,
      lastScanAt: o.occurredAt,
      lastEventId: o.eventId,
      estimatedDelivery: o.estimatedDelivery ?? existing.estimatedDelivery,
      deliveredAt: o.status === 'delivered' ? o.occurredAt : existing.deliveredAt,
    },
  };
}
