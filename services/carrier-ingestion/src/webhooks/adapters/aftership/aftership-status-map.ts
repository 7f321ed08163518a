import type { CustomsHoldReason, ExceptionReason, TrackingStatus } from '../../tracking-update';
import { customsHoldIn, customsHoldReasonOf } from '../shared/customs-text';

export { customsHoldIn, customsHoldReasonOf };

/**
 * How AfterShip's delivery statuses (`tag`) and sub-statuses (`subtag`) map onto Portico's
 * canonical taxonomy. Source: AfterShip Tracking docs, "Delivery Statuses" and "Delivery
 * Sub-statuses" (https://www.aftership.com/docs/tracking/enum/delivery-sub-statuses), including the
 * sub-statuses added in webhook version 2026-07.
 *
 * Lookup order: the subtag's entry, else the tag's entry, else status `unknown` (never a rejection:
 * AfterShip adds sub-statuses without a version bump, and a new `InTransit_0xx` still means in
 * transit). Subtags AfterShip lists without a documented meaning we could rely on
 * (InTransit_010..013, Exception_014/015, Pending_002..006) deliberately fall back to their tag.
 *
 * `customs`:
 *  - `hold`: always `customs_hold`; the reason comes from the checkpoint message (customsHoldReasonOf).
 *  - `if-message`: `customs_hold` only when the checkpoint message names a customs action (the recipient's
 *    ID documents, duties, an inspection, or a hold); otherwise the entry's own status. AfterShip files
 *    "请提供收件人身份证以便清关" under a generic Exception or under "customs clearance started".
 */
export interface AfterShipMapping {
  readonly status: TrackingStatus;
  readonly exceptionReason?: ExceptionReason;
  readonly customs?: 'hold' | 'if-message';
  /** AfterShip's own wording, for the docs and for whoever reads a raw code. */
  readonly meaning: string;
}

export const AFTERSHIP_TAGS: Readonly<Record<string, AfterShipMapping>> = {
  // "New shipments added that are pending to track": the shipment exists, the carrier has no scan yet.
  Pending: { status: 'info_received', meaning: 'Pending: no tracking information from the carrier yet' },
  InfoReceived: { status: 'info_received', meaning: 'Carrier has the shipment information' },
  InTransit: { status: 'in_transit', meaning: 'In transit' },
  OutForDelivery: { status: 'out_for_delivery', meaning: 'Out for delivery' },
  AttemptFail: { status: 'delivery_failed', meaning: 'Failed delivery attempt' },
  Delivered: { status: 'delivered', meaning: 'Delivered' },
  AvailableForPickup: { status: 'available_for_pickup', meaning: 'Available for pickup' },
  Exception: {
    status: 'exception',
    exceptionReason: 'other',
    customs: 'if-message',
    meaning: 'Exception (custom hold, undelivered, returned, other)',
  },
  Expired: { status: 'expired', meaning: 'No tracking information for 30 days' },
};

export const AFTERSHIP_SUBTAGS: Readonly<Record<string, AfterShipMapping>> = {
  Delivered_001: { status: 'delivered', meaning: 'Delivered' },
  Delivered_002: { status: 'delivered', meaning: 'Picked up by the customer' },
  Delivered_003: { status: 'delivered', meaning: 'Signed by the customer' },
  Delivered_004: { status: 'delivered', meaning: 'Delivered, cash on delivery collected' },
  Delivered_005: { status: 'delivered', meaning: 'Delivered to a neighbor' },
  AvailableForPickup_001: { status: 'available_for_pickup', meaning: 'Available for pickup' },

  Exception_001: {
    status: 'exception',
    exceptionReason: 'other',
    customs: 'if-message',
    meaning: 'Exception',
  },
  Exception_002: { status: 'exception', exceptionReason: 'address_issue', meaning: 'Customer moved' },
  Exception_003: { status: 'exception', exceptionReason: 'other', meaning: 'Customer refused delivery' },
  Exception_004: { status: 'customs_hold', customs: 'hold', meaning: 'Delayed (customs clearance)' },
  Exception_005: { status: 'exception', exceptionReason: 'other', meaning: 'Delayed (external factors)' },
  // Mostly import duties and taxes; cash-on-delivery holds stay a plain exception.
  Exception_006: {
    status: 'exception',
    exceptionReason: 'other',
    customs: 'if-message',
    meaning: 'Held for payment',
  },
  Exception_007: { status: 'exception', exceptionReason: 'address_issue', meaning: 'Incorrect address' },
  Exception_008: { status: 'exception', exceptionReason: 'other', meaning: 'Pickup missed' },
  Exception_009: { status: 'exception', exceptionReason: 'other', meaning: 'Rejected by carrier' },
  Exception_010: {
    status: 'exception',
    exceptionReason: 'returned_to_sender',
    meaning: 'Returning to sender',
  },
  Exception_011: {
    status: 'exception',
    exceptionReason: 'returned_to_sender',
    meaning: 'Returned to sender',
  },
  Exception_012: { status: 'exception', exceptionReason: 'damaged', meaning: 'Shipment damaged' },
  Exception_013: { status: 'exception', exceptionReason: 'lost', meaning: 'Shipment lost' },
  Exception_016: { status: 'exception', exceptionReason: 'other', meaning: 'Delayed (processing issue)' },
  Exception_017: { status: 'exception', exceptionReason: 'other', meaning: 'Delayed (extreme weather)' },
  // "On hold due to inaccurate or missing documents required by regulatory agencies".
  Exception_018: { status: 'customs_hold', customs: 'hold', meaning: 'Incorrect / missing documents' },
  Exception_019: { status: 'exception', exceptionReason: 'other', meaning: 'Delayed (late flight)' },
  Exception_020: { status: 'exception', exceptionReason: 'other', meaning: 'Shipment cancelled' },
  Exception_021: { status: 'exception', exceptionReason: 'other', meaning: 'Shipment disposed' },

  AttemptFail_001: { status: 'delivery_failed', meaning: 'Failed attempt' },
  AttemptFail_002: { status: 'delivery_failed', meaning: 'Addressee not available' },
  AttemptFail_003: { status: 'delivery_failed', meaning: 'Business closed' },

  InTransit_001: { status: 'in_transit', meaning: 'In transit' },
  InTransit_002: { status: 'in_transit', meaning: 'Acceptance scan' },
  InTransit_003: { status: 'in_transit', meaning: 'Arrival scan' },
  InTransit_004: { status: 'in_transit', meaning: 'Arrived at the destination country' },
  InTransit_005: { status: 'customs_released', meaning: 'Customs clearance completed' },
  InTransit_006: {
    status: 'in_transit',
    customs: 'if-message',
    meaning: 'Customs clearance started',
  },
  InTransit_007: { status: 'in_transit', meaning: 'Departure scan' },
  InTransit_008: { status: 'in_transit', meaning: 'Problem resolved' },
  InTransit_009: { status: 'in_transit', meaning: 'Forwarded to a different delivery address' },

  InfoReceived_001: { status: 'info_received', meaning: 'Info received' },
  OutForDelivery_001: { status: 'out_for_delivery', meaning: 'Out for delivery' },
  OutForDelivery_003: { status: 'out_for_delivery', meaning: 'Customer contacted' },
  OutForDelivery_004: { status: 'out_for_delivery', meaning: 'Delivery appointment scheduled' },
  Pending_001: { status: 'info_received', meaning: 'Pending' },
  Expired_001: { status: 'expired', meaning: 'Expired' },
};

export interface CanonicalStatus {
  status: TrackingStatus;
  customsHoldReason?: CustomsHoldReason;
  exceptionReason?: ExceptionReason;
}

/** The canonical status of one AfterShip checkpoint (or tracking, when it has none). Never throws. */
export function afterShipStatusOf(tag: string, subtag: string | undefined, message: string): CanonicalStatus {
  const mapping = (subtag ? AFTERSHIP_SUBTAGS[subtag] : undefined) ?? AFTERSHIP_TAGS[tag];
  if (!mapping) return { status: 'unknown' };
  if (mapping.customs === 'hold') {
    return { status: 'customs_hold', customsHoldReason: customsHoldReasonOf(message) };
  }
  if (mapping.customs === 'if-message') {
    const reason = customsHoldIn(message);
    if (reason) return { status: 'customs_hold', customsHoldReason: reason };
  }
  return mapping.exceptionReason
    ? { status: mapping.status, exceptionReason: mapping.exceptionReason }
    : { status: mapping.status };
}
