import type { CustomsHoldReason, ExceptionReason, TrackingStatus } from '../../tracking-update';

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

// The same reading of carrier messages as the AfterShip adapter's (keep the two in step).
// "ID" only as an upper-case word: a lower-case "id" is too common to mean identity documents.
const ID_WORD = /\bID\b/u;
const ID_DOCUMENTS = /\bI\.D\.|\bidentity\b|\bidentification\b|\bpassport\b|身份证|实名|证件/iu;
const DUTIES = /\bdut(?:y|ies)\b|\btax(?:es)?\b|\bVAT\b|\bGST\b|关税|税费|税款|缴税|付税|税金/iu;
const INSPECTION = /\binspect|\bexamin|\bx-ray|查验|检查|开箱/iu;
const CUSTOMS = /\bcustoms?\b|\bclearance\b|海关|清关|报关|通关|实名|身份证/iu;
const HOLD =
  /\bhold\b|\bheld\b|\bdetain|\brequire|\bawaiting\b|\bpending\b|\bsuspend|扣留|暂扣|滞留|需要|请提供|待/iu;
const RELEASED =
  /\bclearance (?:processing )?complete|\bcleared (?:by |through )?customs\b|\bcustoms cleared\b|\breleased (?:by|from) customs\b|清关完成|海关放行|通关完成/iu;

/** Why customs holds the parcel, from a carrier message; `other` when it does not say. */
export function customsHoldReasonOf(message: string): CustomsHoldReason {
  if (ID_WORD.test(message) || ID_DOCUMENTS.test(message)) return 'id_documents_required';
  if (DUTIES.test(message)) return 'duties_unpaid';
  if (INSPECTION.test(message)) return 'inspection';
  return 'other';
}

/** A customs hold named by a message (customs or duties, plus a reason or a hold), or undefined. */
export function customsHoldIn(message: string): CustomsHoldReason | undefined {
  if (!CUSTOMS.test(message) && !DUTIES.test(message)) return undefined;
  const reason = customsHoldReasonOf(message);
  if (reason !== 'other' || HOLD.test(message)) return reason;
  return undefined;
}
