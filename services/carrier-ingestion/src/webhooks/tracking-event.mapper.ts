import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  common,
  parcelRef,
  TrackingStreamEventSchema,
  type DigestKey,
  type TrackingStreamEvent,
} from '@portico/contracts';
import { PROVIDER_ENUM, type WebhookProvider } from './adapters/adapter-registry';
import { toMinorUnits } from './money';
import { recipientHint, scrubberFor } from './recipient-hint';
import type {
  CustomsHoldReason,
  ExceptionReason,
  ShipmentFacts,
  TrackingLocation,
  TrackingStatus,
  TrackingUpdate,
} from './tracking-update';

const STATUS: Readonly<Record<TrackingStatus, carrier.TrackingStatus>> = {
  info_received: carrier.TrackingStatus.INFO_RECEIVED,
  in_transit: carrier.TrackingStatus.IN_TRANSIT,
  customs_hold: carrier.TrackingStatus.CUSTOMS_HOLD,
  customs_released: carrier.TrackingStatus.CUSTOMS_RELEASED,
  out_for_delivery: carrier.TrackingStatus.OUT_FOR_DELIVERY,
  available_for_pickup: carrier.TrackingStatus.AVAILABLE_FOR_PICKUP,
  delivered: carrier.TrackingStatus.DELIVERED,
  delivery_failed: carrier.TrackingStatus.DELIVERY_FAILED,
  exception: carrier.TrackingStatus.EXCEPTION,
  expired: carrier.TrackingStatus.EXPIRED,
  unknown: carrier.TrackingStatus.UNKNOWN,
};

const HOLD_REASON: Readonly<Record<CustomsHoldReason, carrier.CustomsHoldReason>> = {
  id_documents_required: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
  duties_unpaid: carrier.CustomsHoldReason.DUTIES_UNPAID,
  inspection: carrier.CustomsHoldReason.INSPECTION,
  other: carrier.CustomsHoldReason.OTHER,
};

const EXCEPTION_REASON: Readonly<Record<ExceptionReason, carrier.ExceptionReason>> = {
  lost: carrier.ExceptionReason.LOST,
  damaged: carrier.ExceptionReason.DAMAGED,
  returned_to_sender: carrier.ExceptionReason.RETURNED_TO_SENDER,
  address_issue: carrier.ExceptionReason.ADDRESS_ISSUE,
  other: carrier.ExceptionReason.OTHER,
};

/** Who received the update and when: the same for every update of one webhook. */
export interface DeliveryContext {
  readonly tenantId: string;
  readonly carrierAccountId: string;
  readonly provider: WebhookProvider;
  /** The provider's id of the delivery (`webhook-id`), '' when it has none. */
  readonly sourceEventId: string;
  readonly receivedAt: Date;
  /** The newest recipient digest key (RECIPIENT_DIGEST_KEYS[0]). */
  readonly digestKey: DigestKey;
}

/**
 * One provider-neutral update as the published TrackingEventRecorded. Pure: the parcel id comes
 * from carrier code + tracking number (throws InvalidParcelReferenceError when they cannot form
 * one), and the recipient's name and phone appear only as keyed digests; every published free-text
 * field is scrubbed of them.
 */
export function toTrackingEventRecorded(
  update: TrackingUpdate,
  delivery: DeliveryContext,
): carrier.TrackingEventRecorded {
  const scrub = scrubberFor(update.recipient);
  const status = STATUS[update.status];
  return create(carrier.TrackingEventRecordedSchema, {
    parcel: parcelRef(update.carrierCode, update.trackingNumber),
    tenantId: delivery.tenantId,
    provider: PROVIDER_ENUM[delivery.provider],
    carrierAccountId: delivery.carrierAccountId,
    sourceEventId: delivery.sourceEventId,
    status,
    customsHoldReason:
      status === carrier.TrackingStatus.CUSTOMS_HOLD && update.customsHoldReason
        ? HOLD_REASON[update.customsHoldReason]
        : carrier.CustomsHoldReason.UNSPECIFIED,
    exceptionReason:
      status === carrier.TrackingStatus.EXCEPTION && update.exceptionReason
        ? EXCEPTION_REASON[update.exceptionReason]
        : carrier.ExceptionReason.UNSPECIFIED,
    location: update.location ? location(update.location, scrub) : undefined,
    occurredAt: timestampFromDate(update.occurredAt),
    receivedAt: timestampFromDate(delivery.receivedAt),
    estimatedDelivery: update.estimatedDelivery ? calendarDate(update.estimatedDelivery) : undefined,
    customsDeadline: update.customsDeadline ? timestampFromDate(update.customsDeadline) : undefined,
    rawStatusCode: scrub(update.rawCode),
    rawDescription: scrub(update.rawDescription),
    recipient: recipientHint(update.recipient, delivery.digestKey, scrub),
    shipment: update.shipment ? shipment(update.shipment) : undefined,
  });
}

/** The stream message (value of carrier.tracking.v1) carrying one TrackingEventRecorded. */
export function toTrackingStreamEvent(event: carrier.TrackingEventRecorded): TrackingStreamEvent {
  return create(TrackingStreamEventSchema, { event: { case: 'trackingEventRecorded', value: event } });
}

function location(l: TrackingLocation, scrub: (s: string) => string): common.Location {
  return create(common.LocationSchema, {
    countryCode: l.country ?? '',
    region: scrub(l.region ?? ''),
    city: scrub(l.city ?? ''),
    postalCode: (l.postalCode ?? '').trim(),
    description: scrub(l.description ?? ''),
  });
}

function shipment(s: ShipmentFacts): carrier.ShipmentDetails {
  return create(carrier.ShipmentDetailsSchema, {
    originCountryCode: s.originCountry ?? '',
    destinationCountryCode: s.destinationCountry ?? '',
    declaredValue: s.declaredValue
      ? create(common.MoneySchema, {
          currencyCode: s.declaredValue.currency,
          amountMinor: toMinorUnits(s.declaredValue.amount, s.declaredValue.currency),
        })
      : undefined,
    perishable: s.perishable ?? false,
  });
}

/** 'YYYY-MM-DD' (already validated as an ISO date) to a CalendarDate. */
function calendarDate(isoDate: string): common.CalendarDate {
  const [year, month, day] = isoDate.split('-').map(Number);
  return create(common.CalendarDateSchema, { year, month, day });
}
