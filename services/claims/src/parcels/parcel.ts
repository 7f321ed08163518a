/**
 * The parcel as claims sees it (claims_parcels): built from carrier.tracking.v1, the property from
 * notification's RecipientResolved, insurance from the stream or the API. Statuses, times, lane and
 * money only; nothing about the recipient.
 */
export const TRACKING_STATUSES = [
  'info_received',
  'in_transit',
  'customs_hold',
  'customs_released',
  'out_for_delivery',
  'available_for_pickup',
  'delivered',
  'delivery_failed',
  'exception',
  'expired',
  'unknown',
] as const;
export type TrackingStatusName = (typeof TRACKING_STATUSES)[number];

export type ExceptionReasonName = 'lost' | 'damaged' | 'returned_to_sender' | 'address_issue' | 'other';

export interface Money {
  readonly currencyCode: string;
  /** Minor units (fen, cents) as a bigint: never a float. */
  readonly amountMinor: bigint;
}

export interface ParcelIdentity {
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
}

export interface Parcel {
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly status: TrackingStatusName;
  readonly exceptionReason: ExceptionReasonName | null;
  /** occurred_at of the newest non-late tracking event. */
  readonly lastScanAt: Date;
  readonly lastEventId: string;
  /** `YYYY-MM-DD`, the carrier's latest estimate. */
  readonly estimatedDelivery: string | null;
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
  readonly propertyId: string | null;
  readonly deliveredAt: Date | null;
  readonly declaredValue: Money | null;
  readonly insuredValue: Money | null;
  readonly insuredSource: 'carrier' | 'api' | null;
  readonly firstSeenAt: Date;
  readonly updatedAt: Date;
}

/** `JP-CN`; `??` for a country the carrier never gave. The scorecards' lane. */
export function laneOf(p: Pick<Parcel, 'originCountryCode' | 'destinationCountryCode'>): string {
  return `${p.originCountryCode ?? '??'}-${p.destinationCountryCode ?? '??'}`;
}

/**
 * International when both countries are known and differ. A parcel whose origin the carrier never
 * gave counts as domestic: the shorter no-scan threshold flags it sooner, the safer mistake.
 */
export function isInternational(p: Pick<Parcel, 'originCountryCode' | 'destinationCountryCode'>): boolean {
  return (
    !!p.originCountryCode && !!p.destinationCountryCode && p.originCountryCode !== p.destinationCountryCode
  );
}
