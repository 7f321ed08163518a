/**
 * carrier-ingestion's `GET /internal/v1/parcels/:parcelId/tracking-events` answer: the HTTP contract
 * between carrier-ingestion (services/carrier-ingestion/src/parcels) and its one reader, the
 * console's parcel page. Carrier facts only: nothing of the recipient.
 */
export interface TrackingPlace {
  readonly countryCode: string;
  readonly region: string;
  readonly city: string;
  readonly postalCode: string;
  /** e.g. a facility name; scrubbed of names and phone numbers like every published text. */
  readonly description: string;
}

export interface TrackingEventView {
  /** Canonical status (`in_transit`, `customs_hold`, `delivered`, …). */
  readonly status: string;
  readonly holdReason: string | null;
  readonly exceptionReason: string | null;
  readonly location: TrackingPlace | null;
  /** The carrier's time of the scan. */
  readonly occurredAt: string;
  /** When Portico received the webhook that carried it. */
  readonly receivedAt: string;
  /** Arrived after a scan with a later carrier time (published for history; never moved the status). */
  readonly late: boolean;
  readonly carrierCode: string;
  /** The carrier's own status code and description, verbatim after scrubbing. */
  readonly carrierStatus: { readonly code: string; readonly description: string };
}

export interface TrackingEventsPage {
  readonly parcelId: string;
  /** `asc` (default): oldest carrier time first; `desc`: newest first. Ties: arrival order. */
  readonly order: 'asc' | 'desc';
  readonly items: readonly TrackingEventView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}
