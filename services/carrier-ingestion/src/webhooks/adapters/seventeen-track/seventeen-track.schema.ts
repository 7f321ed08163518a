import { z } from 'zod';

/**
 * The 17TRACK push (Tracking API v2.2 / v2.4, "WebHook" section of https://api.17track.net/en/doc):
 * `{ event, data }`, one tracking number per push. 17TRACK adds fields over time and sends `null`
 * for what it does not know, so objects are loose and optional fields nullish; what Portico uses is
 * validated. Messages never contain the offending value.
 */

/** ISO 8601 date-time with a zone (`Z`, `+08:00`, `+0800`); seconds and fractions optional. */
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
/** `YYYY-MM-DD`, optionally followed by a time (17TRACK's estimated delivery bounds are either). */
const LEADING_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/;

/** The instant of an ISO date-time with zone, or undefined when it has none or is not a real time. */
export function instantOf(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const m = ISO_WITH_ZONE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  if (!isRealDate(y!, mo!, d!) || h! > 23 || mi! > 59 || (s ?? 0) > 59) return undefined;
  // Date.parse wants `+08:00`; providers also write `+0800`.
  const at = new Date(value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The calendar date (`YYYY-MM-DD`) a date or date-time starts with, as written (its own zone). */
export function leadingDateOf(value: string): string | undefined {
  const m = LEADING_DATE.exec(value.trim());
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function isRealDate(y: number, m: number, d: number): boolean {
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
}

const text = (max: number) => z.string().max(max).nullish();

/** ISO 3166-1 alpha-2 as 17TRACK writes it; `""` counts as absent. */
const country = z.preprocess(
  (v) => (v === '' ? null : v),
  z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2 country code')
    .toUpperCase()
    .nullish(),
);

const address = z.looseObject({
  country,
  state: text(100),
  city: text(100),
  postal_code: text(20),
});

const latestStatus = z.looseObject({
  status: z.string().min(1).max(64),
  sub_status: text(100),
  sub_status_descr: text(500),
});

const latestEvent = z
  .looseObject({
    time_iso: text(40),
    time_utc: text(40),
    description: text(2000),
    description_translation: z.looseObject({ description: text(2000) }).nullish(),
    location: text(300),
    stage: text(64),
    sub_status: text(100),
    address: address.nullish(),
  })
  .superRefine((e, ctx) => {
    if (!instantOf(e.time_iso) && !instantOf(e.time_utc)) {
      ctx.addIssue({
        code: 'custom',
        path: ['time_iso'],
        message: 'time_iso or time_utc must be an ISO 8601 date-time with a zone',
      });
    }
  });

const estimateBound = z
  .string()
  .max(40)
  .refine((v) => leadingDateOf(v) !== undefined, 'ISO 8601 date or date-time')
  .nullish();

const trackInfo = z.looseObject({
  latest_status: latestStatus,
  // null when 17TRACK has no event yet (e.g. NotFound): the push then carries no update.
  latest_event: latestEvent.nullish(),
  time_metrics: z
    .looseObject({
      estimated_delivery_date: z.looseObject({ from: estimateBound, to: estimateBound }).nullish(),
    })
    .nullish(),
  shipping_info: z
    .looseObject({ shipper_address: address.nullish(), recipient_address: address.nullish() })
    .nullish(),
  tracking: z
    .looseObject({
      providers: z
        .array(z.looseObject({ events: z.array(z.looseObject({})).nullish() }))
        .max(50)
        .nullish(),
    })
    .nullish(),
});

const trackedNumber = {
  number: z.string().trim().min(1).max(64),
  carrier: z.number().int().nonnegative(),
  param: text(200),
  tag: text(200),
};

/** Tracking changed: the whole current track_info of the number. */
export const seventeenTrackUpdated = z.looseObject({
  event: z.literal('TRACKING_UPDATED'),
  data: z.looseObject({ ...trackedNumber, track_info: trackInfo }),
});

/** 17TRACK stopped tracking the number (its rules or a stoptrack call): no tracking facts at all. */
export const seventeenTrackStopped = z.looseObject({
  event: z.literal('TRACKING_STOPPED'),
  data: z.looseObject(trackedNumber),
});

export const seventeenTrackWebhook = z.discriminatedUnion('event', [
  seventeenTrackUpdated,
  seventeenTrackStopped,
]);

export type SeventeenTrackWebhook = z.infer<typeof seventeenTrackWebhook>;
export type SeventeenTrackUpdated = z.infer<typeof seventeenTrackUpdated>;
