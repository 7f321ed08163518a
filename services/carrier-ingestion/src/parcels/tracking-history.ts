import {
  isParcelId,
  type TrackingEventsPage,
  type TrackingEventView,
  type TrackingPlace,
} from '@portico/contracts';
import { z } from 'zod';
import type { CustomsHoldReason, ExceptionReason, TrackingStatus } from '../webhooks/tracking-update';

export type { TrackingEventsPage, TrackingEventView, TrackingPlace };

/** One accepted update of a parcel as it is kept for its history: no recipient field at all. */
export interface TrackingHistoryEntry {
  readonly parcelId: string;
  readonly tenantId: string;
  readonly carrierCode: string;
  readonly status: TrackingStatus;
  readonly holdReason: CustomsHoldReason | null;
  readonly exceptionReason: ExceptionReason | null;
  readonly location: TrackingPlace | null;
  readonly rawStatusCode: string;
  readonly rawDescription: string;
  readonly occurredAt: Date;
  readonly receivedAt: Date;
}

/** A stored entry: the late flag is the projection's verdict, `seq` the arrival order. */
export interface StoredTrackingEvent extends TrackingHistoryEntry {
  readonly seq: string;
  readonly late: boolean;
}

export type TrackingOrder = 'asc' | 'desc';

/** Where a page starts: the (carrier time, arrival order) of the last entry of the previous page. */
export interface TrackingCursor {
  readonly occurredAt: Date;
  readonly seq: string;
}

// The cursor is opaque to callers; inside it is "<carrier time ISO>|<seq>" in base64url.
export function encodeCursor(c: TrackingCursor): string {
  return Buffer.from(`${c.occurredAt.toISOString()}|${c.seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): TrackingCursor | undefined {
  const [at, seq, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !at || !seq || !/^[0-9]{1,19}$/.test(seq)) return undefined;
  const occurredAt = new Date(at);
  return Number.isNaN(occurredAt.getTime()) || occurredAt.toISOString() !== at
    ? undefined
    : { occurredAt, seq };
}

export const parcelIdParam = z
  .string()
  .trim()
  .refine(isParcelId, 'must be a parcel id (prc_ + 32 hex digits)');

/** `GET /internal/v1/parcels/:parcelId/tracking-events` query. Oldest first unless `order=desc`. */
export const trackingEventsQuery = z
  .object({
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.coerce.number().int().min(1).max(200).default(100),
    cursor: z
      .string()
      .max(200)
      .transform((text, ctx) => {
        const cursor = decodeCursor(text);
        if (!cursor) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'not a cursor this API answered' });
        return cursor ?? z.NEVER;
      })
      .optional(),
  })
  .strict();

export type TrackingEventsQuery = z.output<typeof trackingEventsQuery>;

/**
 * The answer for rows read with one more than the limit: the extra row only says another page
 * exists. Pure.
 */
export function toPage(
  parcelId: string,
  query: TrackingEventsQuery,
  rows: readonly StoredTrackingEvent[],
): TrackingEventsPage {
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    parcelId,
    order: query.order,
    items: items.map(toView),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor({ occurredAt: last.occurredAt, seq: last.seq }) : null,
  };
}

function toView(r: StoredTrackingEvent): TrackingEventView {
  return {
    status: r.status,
    holdReason: r.holdReason,
    exceptionReason: r.exceptionReason,
    location: r.location,
    occurredAt: r.occurredAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    late: r.late,
    carrierCode: r.carrierCode,
    carrierStatus: { code: r.rawStatusCode, description: r.rawDescription },
  };
}
