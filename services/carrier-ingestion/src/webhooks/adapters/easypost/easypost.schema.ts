import { z } from 'zod';

/**
 * The parts of an EasyPost webhook Portico reads: an Event (docs: Events, Webhooks) whose `result`
 * is, for `tracker.created` / `tracker.updated`, a Tracker (docs: Trackers). Objects are loose, since
 * EasyPost adds fields over time; what we read is validated. EasyPost writes `null` for absent
 * values, hence `nullish`.
 */
const text = (max: number) => z.string().max(max).nullish();

/** EasyPost's date-times are UTC (`2024-07-31T15:00:00Z`); one without a zone is read as UTC. */
export const easyPostDateTime = z.iso.datetime({ offset: true, local: true });

export const easyPostTrackingLocation = z.looseObject({
  city: text(200),
  state: text(200),
  country: text(100), // alpha-2 by EasyPost's docs; carriers sometimes put a name here
  zip: text(40),
});

export const easyPostTrackingDetail = z.looseObject({
  datetime: easyPostDateTime,
  message: text(2000),
  description: text(2000),
  status: text(50),
  status_detail: text(50),
  tracking_location: easyPostTrackingLocation.nullish(),
});

export const easyPostTracker = z.looseObject({
  id: z.string().min(1).max(100),
  object: z.literal('Tracker'),
  tracking_code: z.string().min(1).max(100),
  carrier: z.string().trim().min(1).max(100),
  status: z.string().min(1).max(50),
  status_detail: text(50),
  est_delivery_date: text(40),
  updated_at: easyPostDateTime.nullish(),
  tracking_details: z.array(easyPostTrackingDetail).max(2000).nullish(),
  carrier_detail: z
    .looseObject({
      est_delivery_date_local: text(40),
      origin_tracking_location: easyPostTrackingLocation.nullish(),
      destination_tracking_location: easyPostTrackingLocation.nullish(),
    })
    .nullish(),
});

/** Every EasyPost event: its id (the same on EasyPost's retries) and what it is about. */
export const easyPostEnvelope = z.looseObject({
  id: z.string().min(1).max(200),
  object: z.literal('Event'),
  description: z.string().min(1).max(100),
});

export const easyPostTrackerEvent = easyPostEnvelope.extend({
  description: z.enum(['tracker.created', 'tracker.updated']),
  created_at: easyPostDateTime.nullish(),
  result: easyPostTracker,
});

export type EasyPostTrackerEvent = z.infer<typeof easyPostTrackerEvent>;
export type EasyPostTracker = z.infer<typeof easyPostTracker>;
export type EasyPostTrackingDetail = z.infer<typeof easyPostTrackingDetail>;
export type EasyPostTrackingLocation = z.infer<typeof easyPostTrackingLocation>;
