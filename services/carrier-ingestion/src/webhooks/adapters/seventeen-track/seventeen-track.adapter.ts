import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { ParsedWebhook, RecipientDetails, ShipmentFacts, TrackingLocation } from '../../tracking-update';
import {
  headerValue,
  WebhookRejectedError,
  type PayloadIssue,
  type WebhookAdapter,
  type WebhookHeaders,
} from '../webhook-adapter';
import { carrierCodeOf17TrackKey } from './seventeen-track-carriers';
import { mapSeventeenTrackStatus } from './seventeen-track-status-map';
import {
  instantOf,
  leadingDateOf,
  seventeenTrackWebhook,
  type SeventeenTrackUpdated,
} from './seventeen-track.schema';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * 17TRACK's push (Tracking API v2.2 / v2.4). Signature, per the "WebHook" section of
 * https://api.17track.net/en/doc?version=v2.2&anchor=webhook (same in v2.4): header `sign` =
 * lowercase hex SHA-256 of `<raw request body>/<security key>`, the key being the account's 17TRACK
 * API security key (the `17token`). It covers the exact bytes received, so it is checked on them.
 * 17TRACK signs no timestamp and sends no event id: there is no replay window to enforce, and the
 * intake deduplicates by the SHA-256 of the body (an identical replay is a duplicate).
 *
 * One push describes one tracking number: TRACKING_UPDATED becomes one update (the latest status
 * and latest event; the full event history in `track_info.tracking` is re-sent on every push and is
 * not republished), TRACKING_STOPPED and an update without any event yet become none.
 */
export class SeventeenTrackAdapter implements WebhookAdapter {
  readonly provider = '17track';
  readonly contentTypes = ['application/json'];
  readonly signatureHeaders = ['sign'];
  /** One 17TRACK subscription reports parcels of every carrier it tracks. */
  readonly carriers = 'many';

  // `now` is unused: 17TRACK signs no timestamp, so there is no tolerance to check.
  verify(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], _now: Date): void {
    const sign = headerValue(headers, 'sign')?.trim().toLowerCase();
    if (!sign || !SHA256_HEX.test(sign)) {
      throw new WebhookRejectedError(
        'WEBHOOK_SIGNATURE_INVALID',
        'the sign header is missing or not SHA-256 hex',
      );
    }
    const given = Buffer.from(sign, 'utf8');
    let matched = false;
    for (const secret of secrets) {
      const expected = Buffer.from(signatureOf(rawBody, secret), 'utf8');
      // equal lengths here (both 64 hex characters); checked anyway, timingSafeEqual requires it
      if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
    }
    if (!matched) {
      throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'no active secret matches the sign header');
    }
  }

  parse(rawBody: Buffer, _headers: WebhookHeaders): ParsedWebhook {
    const parsed = seventeenTrackWebhook.safeParse(jsonOf(rawBody));
    if (!parsed.success) throw payloadInvalid(parsed.error);
    const push = parsed.data;
    // 17TRACK sends no delivery id: the intake then deduplicates on the body's SHA-256.
    if (push.event === 'TRACKING_STOPPED') return { updates: [] };
    return { updates: updatesOf(push) };
  }
}

/** Lowercase hex SHA-256 of the raw body, `/` and the key, as 17TRACK computes `sign`. */
export function signatureOf(rawBody: Buffer, secret: string): string {
  return createHash('sha256').update(rawBody).update('/').update(secret, 'utf8').digest('hex');
}

function updatesOf(push: SeventeenTrackUpdated): ParsedWebhook['updates'] {
  const { data } = push;
  const info = data.track_info;
  const event = info.latest_event;
  if (!event) return []; // nothing has happened yet (NotFound): no tracking event to record
  const latest = info.latest_status;
  const subStatus = latest.sub_status ?? undefined;
  const description = event.description ?? '';
  const eventText = [description, event.description_translation?.description, latest.sub_status_descr]
    .filter(Boolean)
    .join(' ');
  const mapped = mapSeventeenTrackStatus(latest.status, subStatus, eventText);
  // time_iso carries the local offset; time_utc is the fallback (the schema checked one is valid)
  const occurredAt = (instantOf(event.time_iso) ?? instantOf(event.time_utc))!;
  const eta = info.time_metrics?.estimated_delivery_date;
  const etaBound = eta?.to ?? eta?.from;
  return [
    {
      carrierCode: carrierCodeOf17TrackKey(data.carrier),
      trackingNumber: data.number,
      ...mapped,
      location: locationOf(event.address, event.location),
      occurredAt,
      estimatedDelivery: etaBound ? leadingDateOf(etaBound) : undefined,
      rawCode: subStatus ?? latest.status,
      rawDescription: description || (latest.sub_status_descr ?? ''),
      recipient: recipientOf(info.shipping_info?.recipient_address),
      shipment: shipmentOf(info.shipping_info),
      sourcePath: 'data.track_info.latest_event',
    },
  ];
}

type Address = {
  country?: string | null;
  state?: string | null;
  city?: string | null;
  postal_code?: string | null;
} | null;

function locationOf(
  address: Address | undefined,
  description: string | null | undefined,
): TrackingLocation | undefined {
  const location = compact({
    country: address?.country,
    region: address?.state,
    city: address?.city,
    postalCode: address?.postal_code,
    description,
  });
  return Object.keys(location).length > 0 ? location : undefined;
}

function recipientOf(address: Address | undefined): RecipientDetails | undefined {
  const recipient = compact({
    country: address?.country,
    region: address?.state,
    city: address?.city,
    postalCode: address?.postal_code,
  });
  return Object.keys(recipient).length > 0 ? recipient : undefined;
}

function shipmentOf(
  info: { shipper_address?: Address; recipient_address?: Address } | null | undefined,
): ShipmentFacts | undefined {
  const facts = compact({
    originCountry: info?.shipper_address?.country,
    destinationCountry: info?.recipient_address?.country,
  });
  return Object.keys(facts).length > 0 ? facts : undefined;
}

/** Drops null, undefined and blank values, trimming the rest. */
function compact<K extends string>(fields: Record<K, string | null | undefined>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, value] of Object.entries(fields) as [K, string | null | undefined][]) {
    const trimmed = value?.trim();
    if (trimmed) out[key] = trimmed;
  }
  return out;
}

function jsonOf(rawBody: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
  } catch {
    throw new WebhookRejectedError('WEBHOOK_PAYLOAD_INVALID', 'body is not valid UTF-8 JSON', [
      { path: '(root)', message: 'body is not valid UTF-8 JSON' },
    ]);
  }
}

/** Paths and messages only: never the offending values, which may be personal data. */
function payloadInvalid(error: z.ZodError): WebhookRejectedError {
  const issues: PayloadIssue[] = error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
  return new WebhookRejectedError(
    'WEBHOOK_PAYLOAD_INVALID',
    issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  );
}
