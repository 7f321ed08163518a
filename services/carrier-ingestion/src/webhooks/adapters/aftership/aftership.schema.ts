import { z } from 'zod';

/**
 * The parts of an AfterShip Tracking webhook Portico reads (webhook docs: "Webhook Specifications";
 * the body's `msg` is the Tracking object). Objects are loose: AfterShip adds fields with every
 * webhook version (`as-webhook-version`), so unknown keys are kept, not refused; what we read is
 * validated. AfterShip sends `null` for absent values, hence `nullish` rather than `optional`.
 * Fields renamed between versions are accepted under both names (`zip` / `postal_code`,
 * `country_iso3` / `country_region`, `customer_name` / `customers`).
 */
const text = (max: number) => z.string().max(max).nullish();

/** Checkpoint times are the carrier's local time, with an offset when AfterShip knows it, else without. */
export const afterShipDateTime = z.iso.datetime({ offset: true, local: true });

/** Carrier slugs (`sf-express`, `china-ems`, `usps`): Portico's canonical carrier codes. */
const slug = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'AfterShip courier slug such as sf-express');

export const afterShipCheckpoint = z.looseObject({
  checkpoint_time: afterShipDateTime,
  message: text(2000),
  tag: text(50),
  subtag: text(50),
  subtag_message: text(300),
  location: text(500),
  city: text(200),
  state: text(200),
  zip: text(40),
  postal_code: text(40),
  country_iso3: text(100),
  country_region: text(100),
});

const estimatedDate = z.looseObject({ estimated_delivery_date: text(40) }).nullish();
const estimatedDateTime = z.looseObject({ datetime: text(40) }).nullish();

const customer = z.looseObject({
  role: text(50),
  name: text(200),
  phone_number: text(40),
});

export const afterShipTracking = z.looseObject({
  id: z.string().min(1).max(100),
  tracking_number: z.string().min(1).max(100),
  slug,
  tag: z.string().min(1).max(50),
  subtag: text(50),
  subtag_message: text(300),
  updated_at: afterShipDateTime.nullish(),
  checkpoints: z.array(afterShipCheckpoint).max(2000).nullish(),

  // estimated delivery, newest field first; see AfterShipAdapter for the order they are read in
  latest_estimated_delivery: estimatedDateTime,
  courier_estimated_delivery_date: estimatedDate,
  aftership_estimated_delivery_date: estimatedDate,
  custom_estimated_delivery_date: estimatedDateTime,
  expected_delivery: text(40),

  origin_country_iso3: text(100),
  origin_country_region: text(100),
  destination_country_iso3: text(100),
  destination_country_region: text(100),
  destination_state: text(200),
  destination_city: text(200),
  destination_postal_code: text(40),

  // personal data: only ever mapped to `recipient`, which downstream code digests and scrubs
  customer_name: text(200),
  customers: z.array(customer).max(20).nullish(),
  smses: z.array(z.string().max(40)).max(20).nullish(),
});

/** Every AfterShip Tracking webhook: `tracking_update`, `edd_revise`, `tracking_pending_time`. */
export const afterShipEnvelope = z.looseObject({
  event: z.string().min(1).max(100),
  event_id: z.string().min(1).max(200).nullish(),
});

export const afterShipTrackingUpdate = afterShipEnvelope.extend({
  event: z.literal('tracking_update'),
  is_tracking_first_tag: z.boolean().nullish(),
  msg: afterShipTracking,
  ts: z.number().int().nonnegative().nullish(),
});

export type AfterShipTrackingUpdate = z.infer<typeof afterShipTrackingUpdate>;
export type AfterShipTracking = z.infer<typeof afterShipTracking>;
export type AfterShipCheckpoint = z.infer<typeof afterShipCheckpoint>;
