/**
 * What every carrier adapter turns a webhook into: one provider-neutral tracking update. The
 * service maps it onto the published protobuf event; adapters never touch Kafka or the database.
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
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

export const CUSTOMS_HOLD_REASONS = [
  'id_documents_required',
  'duties_unpaid',
  'inspection',
  'other',
] as const;
export type CustomsHoldReason = (typeof CUSTOMS_HOLD_REASONS)[number];

export const EXCEPTION_REASONS = ['lost', 'damaged', 'returned_to_sender', 'address_issue', 'other'] as const;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number];

export interface TrackingLocation {
  country?: string;
  region?: string;
  city?: string;
  postalCode?: string;
  description?: string;
}

/** Recipient details as the carrier sent them. Personal data: it never leaves this service raw. */
export interface RecipientDetails {
  name?: string;
  phone?: string;
  country?: string;
  region?: string;
  city?: string;
  district?: string;
  postalCode?: string;
  /** Building level: street, number, compound, building; the unit goes in `unit`. */
  addressLine?: string;
  unit?: string;
}

/** An amount as the provider wrote it: a decimal string, so nothing is rounded before minor units. */
export interface DeclaredAmount {
  amount: string;
  currency: string; // ISO 4217, uppercase
}

/** Shipment facts clearance and claims need (origin, destination, value, perishable). */
export interface ShipmentFacts {
  originCountry?: string;
  destinationCountry?: string;
  declaredValue?: DeclaredAmount;
  perishable?: boolean;
}

export interface TrackingUpdate {
  carrierCode: string;
  trackingNumber: string;
  status: TrackingStatus;
  customsHoldReason?: CustomsHoldReason;
  exceptionReason?: ExceptionReason;
  location?: TrackingLocation;
  occurredAt: Date;
  estimatedDelivery?: string; // YYYY-MM-DD
  /** When customs or the carrier wants the recipient to have acted (e.g. provided ID documents). */
  customsDeadline?: Date;
  rawCode: string;
  rawDescription: string;
  recipient?: RecipientDetails;
  shipment?: ShipmentFacts;
  /** Where the update sits in the provider's payload (`data.events.0`), for error details. */
  sourcePath?: string;
}

/** A verified, parsed webhook: its provider event id (for deduplication) and its updates. */
export interface ParsedWebhook {
  providerEventId?: string;
  updates: TrackingUpdate[];
}
