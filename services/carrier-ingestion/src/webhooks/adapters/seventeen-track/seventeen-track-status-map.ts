import type { CustomsHoldReason, ExceptionReason, TrackingStatus } from '../../tracking-update';

/** What one 17TRACK status means in Portico's taxonomy. */
export interface SeventeenTrackMapping {
  readonly status: TrackingStatus;
  /** Set for `exception`: the canonical reason. */
  readonly exceptionReason?: ExceptionReason;
}

/**
 * 17TRACK sub-statuses (`track_info.latest_status.sub_status`, Tracking API v2.2/v2.4, "Package
 * status" section of https://api.17track.net/en/doc) to Portico statuses. Every sub-status 17TRACK
 * documents is listed. Judgement calls:
 *   - InTransit_CustomsProcessing is clearance under way, not a hold: `in_transit`.
 *   - InTransit_CustomsRequiringInformation ("related information is required for clearance") is
 *     the customs hold; its reason comes from the event text (customsHoldReasonFrom17Track).
 *   - Exception_Security ("security, customs clearance or fee issues before delivery") stays a
 *     generic exception: 17TRACK does not say which of the three it is.
 *   - Exception_NoBody ("recipient information abnormal") is an address issue.
 */
export const SEVENTEEN_TRACK_SUB_STATUSES: Readonly<Record<string, SeventeenTrackMapping>> = {
  NotFound_Other: { status: 'unknown' }, // the carrier returned nothing yet
  NotFound_InvalidCode: { status: 'unknown' }, // the tracking number is not valid for the carrier
  InfoReceived: { status: 'info_received' },
  InTransit_PickedUp: { status: 'in_transit' },
  InTransit_Other: { status: 'in_transit' },
  InTransit_Departure: { status: 'in_transit' }, // left the origin country's port
  InTransit_Arrival: { status: 'in_transit' }, // arrived at the destination country's port
  InTransit_CustomsProcessing: { status: 'in_transit' },
  InTransit_CustomsReleased: { status: 'customs_released' },
  InTransit_CustomsRequiringInformation: { status: 'customs_hold' },
  Expired_Other: { status: 'expired' },
  AvailableForPickup_Other: { status: 'available_for_pickup' },
  OutForDelivery_Other: { status: 'out_for_delivery' },
  DeliveryFailure_Other: { status: 'delivery_failed' },
  DeliveryFailure_NoBody: { status: 'delivery_failed' }, // recipient not reachable
  DeliveryFailure_Security: { status: 'delivery_failed' }, // security, clearance or fee issue
  DeliveryFailure_Rejected: { status: 'delivery_failed' }, // refused by the recipient
  DeliveryFailure_InvalidAddress: { status: 'delivery_failed' },
  Delivered_Other: { status: 'delivered' },
  Exception_Other: { status: 'exception', exceptionReason: 'other' },
  Exception_Returning: { status: 'exception', exceptionReason: 'returned_to_sender' },
  Exception_Returned: { status: 'exception', exceptionReason: 'returned_to_sender' },
  Exception_NoBody: { status: 'exception', exceptionReason: 'address_issue' },
  Exception_Security: { status: 'exception', exceptionReason: 'other' },
  Exception_Damage: { status: 'exception', exceptionReason: 'damaged' },
  Exception_Rejected: { status: 'exception', exceptionReason: 'other' }, // refused before delivery
  Exception_Delayed: { status: 'exception', exceptionReason: 'other' },
  Exception_Lost: { status: 'exception', exceptionReason: 'lost' },
  Exception_Destroyed: { status: 'exception', exceptionReason: 'other' },
  Exception_Cancel: { status: 'exception', exceptionReason: 'other' },
};

/**
 * The nine main statuses (`latest_status.status`), used when a push carries a sub-status this
 * table does not know yet (17TRACK adds some from time to time): a new `InTransit_*` is still in
 * transit. A main status not listed here maps to `unknown`.
 */
export const SEVENTEEN_TRACK_MAIN_STATUSES: Readonly<Record<string, SeventeenTrackMapping>> = {
  NotFound: { status: 'unknown' },
  InfoReceived: { status: 'info_received' },
  InTransit: { status: 'in_transit' },
  Expired: { status: 'expired' },
  AvailableForPickup: { status: 'available_for_pickup' },
  OutForDelivery: { status: 'out_for_delivery' },
  DeliveryFailure: { status: 'delivery_failed' },
  Delivered: { status: 'delivered' },
  Exception: { status: 'exception', exceptionReason: 'other' },
};

/**
 * Why customs holds a parcel, from 17TRACK's event text (the carrier's own words, any language):
 * identity documents first (the common case for parcels into China: 身份证 / 实名认证 / 清关资料),
 * then unpaid duties or taxes, else `other`.
 */
export const SEVENTEEN_TRACK_HOLD_REASON_PATTERNS: readonly (readonly [RegExp, CustomsHoldReason])[] = [
  [/\bID\b|identity|identification|passport|身份|实名|证件|清关资料/i, 'id_documents_required'],
  [/\bdut(?:y|ies)\b|\btax(?:es)?\b|\bVAT\b|\bGST\b|税/i, 'duties_unpaid'],
];

export function customsHoldReasonFrom17Track(text: string): CustomsHoldReason {
  for (const [pattern, reason] of SEVENTEEN_TRACK_HOLD_REASON_PATTERNS) if (pattern.test(text)) return reason;
  return 'other';
}

export interface SeventeenTrackCanonical {
  status: TrackingStatus;
  customsHoldReason?: CustomsHoldReason;
  exceptionReason?: ExceptionReason;
}

/**
 * A 17TRACK status and sub-status as Portico's status (never throws): the sub-status table, else
 * the main status table, else `unknown`. `eventText` decides the reason of a customs hold.
 */
export function mapSeventeenTrackStatus(
  status: string,
  subStatus: string | undefined,
  eventText: string,
): SeventeenTrackCanonical {
  const mapping =
    (subStatus !== undefined ? own(SEVENTEEN_TRACK_SUB_STATUSES, subStatus) : undefined) ??
    own(SEVENTEEN_TRACK_MAIN_STATUSES, status);
  if (!mapping) return { status: 'unknown' };
  if (mapping.status === 'customs_hold') {
    return { status: 'customs_hold', customsHoldReason: customsHoldReasonFrom17Track(eventText) };
  }
  return mapping.exceptionReason
    ? { status: mapping.status, exceptionReason: mapping.exceptionReason }
    : { status: mapping.status };
}

/** Own properties only: a provider sending `constructor` or `__proto__` gets `unknown`, not Object's. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
