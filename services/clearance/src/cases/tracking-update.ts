import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { carrier } from '@portico/contracts';
import type { ClearanceTrigger, HoldReason, NameDigest, ParcelIdentity } from './case';
import type { ShipmentFacts } from './requirement-policy';

/** What a tracking event means for clearance; everything else about it is irrelevant here. */
export type TrackingSignal =
  | { readonly kind: 'hold'; readonly reason: HoldReason; readonly carrierDeadline?: Date }
  | { readonly kind: 'released'; readonly trigger: ClearanceTrigger }
  | { readonly kind: 'returned_to_sender' }
  | { readonly kind: 'irrelevant' };

/** A TrackingEventRecorded in clearance's terms (no protobuf beyond this file and case-events.ts). */
export interface TrackingUpdate {
  /** The record's `event-id`: the cause of every change it makes. */
  readonly eventId: string;
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly occurredAt: Date;
  /** carrier-ingestion saw a newer update of the parcel before this one. */
  readonly late: boolean;
  readonly signal: TrackingSignal;
  readonly shipment: ShipmentFacts;
  readonly recipientNameDigest: NameDigest | null;
}

const HOLD_REASON: Readonly<Record<carrier.CustomsHoldReason, HoldReason>> = {
  [carrier.CustomsHoldReason.UNSPECIFIED]: 'other',
  [carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED]: 'id_documents_required',
  [carrier.CustomsHoldReason.DUTIES_UNPAID]: 'duties_unpaid',
  [carrier.CustomsHoldReason.INSPECTION]: 'inspection',
  [carrier.CustomsHoldReason.OTHER]: 'other',
};

export function signalOf(event: carrier.TrackingEventRecorded): TrackingSignal {
  switch (event.status) {
    case carrier.TrackingStatus.CUSTOMS_HOLD: {
      const deadline = dateOf(event.customsDeadline);
      return {
        kind: 'hold',
        // a reason added to the contract after this build is still a hold
        reason: HOLD_REASON[event.customsHoldReason] ?? 'other',
        ...(deadline ? { carrierDeadline: deadline } : {}),
      };
    }
    case carrier.TrackingStatus.CUSTOMS_RELEASED:
      return { kind: 'released', trigger: 'customs_released' };
    // Customs would not let the parcel onto a delivery vehicle while holding it: release implied.
    case carrier.TrackingStatus.OUT_FOR_DELIVERY:
      return { kind: 'released', trigger: 'out_for_delivery' };
    case carrier.TrackingStatus.DELIVERED:
      return { kind: 'released', trigger: 'delivered' };
    case carrier.TrackingStatus.EXCEPTION:
      return event.exceptionReason === carrier.ExceptionReason.RETURNED_TO_SENDER
        ? { kind: 'returned_to_sender' }
        : { kind: 'irrelevant' };
    default:
      return { kind: 'irrelevant' };
  }
}

/**
 * The clearance view of a tracking event, or undefined when it names no parcel (nothing could be
 * opened or closed for it). `meta` comes from the record's headers, which the transport validated.
 */
export function trackingUpdateOf(
  event: carrier.TrackingEventRecorded,
  meta: { eventId: string; tenantId: string; parcelId: string; occurredAt: Date },
): TrackingUpdate | undefined {
  const parcel = event.parcel;
  if (!parcel?.parcelId || !parcel.carrierCode || !parcel.trackingNumber) return undefined;
  const shipment = event.shipment;
  const declared = shipment?.declaredValue;
  const digest = event.recipient?.nameDigest;
  // The delivery address's country stands in when the carrier sent no shipment details.
  const destination = (shipment?.destinationCountryCode || event.recipient?.countryCode || '').toUpperCase();
  return {
    eventId: meta.eventId,
    tenantId: event.tenantId || meta.tenantId,
    parcel: {
      parcelId: parcel.parcelId,
      carrierCode: parcel.carrierCode,
      trackingNumber: parcel.trackingNumber,
    },
    occurredAt: dateOf(event.occurredAt) ?? meta.occurredAt,
    late: event.late,
    signal: signalOf(event),
    shipment: {
      carrierCode: parcel.carrierCode,
      ...(shipment?.originCountryCode ? { originCountryCode: shipment.originCountryCode.toUpperCase() } : {}),
      ...(destination ? { destinationCountryCode: destination } : {}),
      ...(declared?.currencyCode
        ? {
            declaredValue: {
              currencyCode: declared.currencyCode.toUpperCase(),
              amountMinor: declared.amountMinor,
            },
          }
        : {}),
      perishable: shipment?.perishable ?? false,
    },
    recipientNameDigest:
      digest && digest.value.length > 0 ? { value: digest.value, keyId: digest.keyId } : null,
  };
}

function dateOf(timestamp: Timestamp | undefined): Date | undefined {
  if (!timestamp) return undefined;
  const date = timestampDate(timestamp);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
