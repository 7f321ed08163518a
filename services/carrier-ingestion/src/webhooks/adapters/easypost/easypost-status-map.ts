import type { CustomsHoldReason, ExceptionReason, TrackingStatus } from '../../tracking-update';
import { customsHoldIn, customsHoldReasonOf } from '../shared/customs-text';

export { customsHoldIn, customsHoldReasonOf };

/**
 * How EasyPost's tracker `status` and `status_detail` map onto Portico's canonical taxonomy. Source:
 * EasyPost docs, Trackers ("Tracking statuses" and "Tracking status details",
 * https://docs.easypost.com/docs/trackers). EasyPost's docs name the tracker-level `status` as the
 * field to act on, so that is what is mapped (the newest tracking detail supplies time, place and
 * message).
 *
 * Lookup order: EASYPOST_STATUS_DETAILS[`status/status_detail`], then EASYPOST_STATUS_DETAILS
 * [status_detail] (unless the parcel is delivered), then EASYPOST_STATUSES[status], else `unknown`:
 * an unknown code is never a rejection, EasyPost adds values without notice.
 *
 * EasyPost has no customs status or detail: customs holds arrive as `in_transit` (or `failure`,
 * `unknown`) with detail `held`, `delayed`, `awaiting_information`… and a carrier message.
 * `customs: 'if-message'` makes such an update `customs_hold` when the message names a customs
 * action (ID documents, duties, an inspection, a hold), and `customs_released` when it says customs
 * cleared the parcel.
 */
export interface EasyPostMapping {
  readonly status: TrackingStatus;
  readonly exceptionReason?: ExceptionReason;
  readonly customs?: 'if-message';
  readonly meaning: string;
}

export const EASYPOST_STATUSES: Readonly<Record<string, EasyPostMapping>> = {
  unknown: { status: 'unknown', customs: 'if-message', meaning: 'Status unknown to EasyPost' },
  pre_transit: { status: 'info_received', meaning: 'Label created, parcel not yet with the carrier' },
  in_transit: { status: 'in_transit', customs: 'if-message', meaning: 'In transit' },
  out_for_delivery: { status: 'out_for_delivery', meaning: 'Out for delivery' },
  delivered: { status: 'delivered', meaning: 'Delivered' },
  available_for_pickup: { status: 'available_for_pickup', meaning: 'Available for pickup' },
  return_to_sender: {
    status: 'exception',
    exceptionReason: 'returned_to_sender',
    meaning: 'Being returned to the sender',
  },
  failure: { status: 'delivery_failed', customs: 'if-message', meaning: 'The carrier could not deliver' },
  cancelled: { status: 'exception', exceptionReason: 'other', meaning: 'Shipment cancelled' },
  // EasyPost could not track the parcel: says nothing about the parcel itself.
  error: { status: 'unknown', meaning: 'Tracking error at EasyPost' },
};

/** Details that decide the canonical status over `status` (keys `detail` or `status/detail`). */
export const EASYPOST_STATUS_DETAILS: Readonly<Record<string, EasyPostMapping>> = {
  lost: { status: 'exception', exceptionReason: 'lost', meaning: 'Lost' },
  damaged: { status: 'exception', exceptionReason: 'damaged', meaning: 'Damaged' },
  return: { status: 'exception', exceptionReason: 'returned_to_sender', meaning: 'Returning to the sender' },
  refused: { status: 'exception', exceptionReason: 'other', meaning: 'Refused by the recipient' },
  'failure/address_correction': {
    status: 'exception',
    exceptionReason: 'address_issue',
    meaning: 'Undeliverable: the address needs correcting',
  },
};

export interface CanonicalStatus {
  status: TrackingStatus;
  customsHoldReason?: CustomsHoldReason;
  exceptionReason?: ExceptionReason;
}

/** The canonical status of a tracker, given its newest message. Never throws. */
export function easyPostStatusOf(
  status: string,
  statusDetail: string | undefined,
  message: string,
): CanonicalStatus {
  const byDetail = statusDetail
    ? (EASYPOST_STATUS_DETAILS[`${status}/${statusDetail}`] ??
      (status === 'delivered' ? undefined : EASYPOST_STATUS_DETAILS[statusDetail]))
    : undefined;
  const mapping = byDetail ?? EASYPOST_STATUSES[status];
  if (!mapping) return { status: 'unknown' };
  if (mapping.customs === 'if-message') {
    const hold = customsHoldIn(message);
    if (hold) return { status: 'customs_hold', customsHoldReason: hold };
    if (RELEASED.test(message)) return { status: 'customs_released' };
  }
  return mapping.exceptionReason
    ? { status: mapping.status, exceptionReason: mapping.exceptionReason }
    : { status: mapping.status };
}

// Released by customs, when the message says so (EasyPost has no customs status of its own).
const RELEASED =
  /\bclearance (?:processing )?complete|\bcleared (?:by |through )?customs\b|\bcustoms cleared\b|\breleased (?:by|from) customs\b|清关完成|海关放行|通关完成/iu;
