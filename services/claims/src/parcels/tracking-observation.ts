import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { carrier, type common } from '@portico/contracts';
import type { ExceptionReasonName, Money, ParcelIdentity, TrackingStatusName } from './parcel';

/** A TrackingEventRecorded in claims' terms (protobuf stays in this file and claim-events.ts). */
export interface TrackingObservation {
  readonly eventId: string;
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly status: TrackingStatusName;
  readonly exceptionReason: ExceptionReasonName | null;
  readonly occurredAt: Date;
  /** carrier-ingestion saw a newer update of the parcel before this one. */
  readonly late: boolean;
  readonly estimatedDelivery: string | null;
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
  readonly declaredValue: Money | null;
  readonly insuredValue: Money | null;
  /** Facility-level place (country, city, facility description): never a person's address. */
  readonly location: string;
  readonly rawStatusCode: string;
}

const STATUS: Readonly<Record<number, TrackingStatusName>> = {
  [carrier.TrackingStatus.INFO_RECEIVED]: 'info_received',
  [carrier.TrackingStatus.IN_TRANSIT]: 'in_transit',
  [carrier.TrackingStatus.CUSTOMS_HOLD]: 'customs_hold',
  [carrier.TrackingStatus.CUSTOMS_RELEASED]: 'customs_released',
  [carrier.TrackingStatus.OUT_FOR_DELIVERY]: 'out_for_delivery',
  [carrier.TrackingStatus.AVAILABLE_FOR_PICKUP]: 'available_for_pickup',
  [carrier.TrackingStatus.DELIVERED]: 'delivered',
  [carrier.TrackingStatus.DELIVERY_FAILED]: 'delivery_failed',
  [carrier.TrackingStatus.EXCEPTION]: 'exception',
  [carrier.TrackingStatus.EXPIRED]: 'expired',
  [carrier.TrackingStatus.UNKNOWN]: 'unknown',
};

const EXCEPTION: Readonly<Record<number, ExceptionReasonName>> = {
  [carrier.ExceptionReason.LOST]: 'lost',
  [carrier.ExceptionReason.DAMAGED]: 'damaged',
  [carrier.ExceptionReason.RETURNED_TO_SENDER]: 'returned_to_sender',
  [carrier.ExceptionReason.ADDRESS_ISSUE]: 'address_issue',
  [carrier.ExceptionReason.OTHER]: 'other',
};

export function moneyOf(m: common.Money | undefined): Money | null {
  if (!m || !m.currencyCode) return null;
  return { currencyCode: m.currencyCode, amountMinor: m.amountMinor };
}

export function calendarDateOf(d: common.CalendarDate | undefined): string | null {
  if (!d || !d.year || !d.month || !d.day) return null;
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function dateOf(t: Timestamp | undefined): Date | undefined {
  return t ? timestampDate(t) : undefined;
}

/** undefined when the event has no parcel reference (nothing can be projected from it). */
export function observationOf(
  event: carrier.TrackingEventRecorded,
  meta: { eventId: string; tenantId: string; occurredAt: Date },
): TrackingObservation | undefined {
  const ref = event.parcel;
  if (!ref?.parcelId) return undefined;
  const status = STATUS[event.status] ?? 'unknown';
  const loc = event.location;
  return {
    eventId: meta.eventId,
    tenantId: event.tenantId || meta.tenantId,
    parcel: { parcelId: ref.parcelId, carrierCode: ref.carrierCode, trackingNumber: ref.trackingNumber },
    status,
    exceptionReason: status === 'exception' ? (EXCEPTION[event.exceptionReason] ?? 'other') : null,
    occurredAt: dateOf(event.occurredAt) ?? meta.occurredAt,
    late: event.late,
    estimatedDelivery: calendarDateOf(event.estimatedDelivery),
    originCountryCode: event.shipment?.originCountryCode || null,
    destinationCountryCode: event.shipment?.destinationCountryCode || event.recipient?.countryCode || null,
    declaredValue: moneyOf(event.shipment?.declaredValue),
    insuredValue: moneyOf(event.shipment?.insuredValue),
    location: loc ? [loc.countryCode, loc.city, loc.description].filter(Boolean).join(' · ') : '',
    rawStatusCode: event.rawStatusCode,
  };
}
