import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ParsedWebhook, ShipmentFacts, TrackingLocation, TrackingUpdate } from '../../tracking-update';
import {
  type WebhookAdapter,
  type WebhookHeaders,
  WebhookRejectedError,
  headerValue,
} from '../webhook-adapter';
import {
  calendarDateOf,
  dateOf,
  invalid,
  nonEmpty,
  parseJson,
  present,
  validated,
  withoutUndefined,
} from '../shared/payload';
import { easyPostCarrierCode } from './easypost-carriers';
import { easyPostStatusOf } from './easypost-status-map';
import { type EasyPostTrackingLocation, easyPostEnvelope, easyPostTrackerEvent } from './easypost.schema';

export const EASYPOST_SIGNATURE_HEADER = 'x-hmac-signature';
const SIGNATURE_PREFIX = 'hmac-sha256-hex=';

/**
 * EasyPost webhooks (docs/webhooks/easypost.md). EasyPost signs the raw body as
 * `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256>`, keyed with the webhook secret normalised
 * to Unicode NFKD and encoded as UTF-8, exactly as its client libraries' validate_webhook do. Nothing
 * else is signed, so there is no timestamp tolerance: a replayed event is deduplicated on its `id`
 * (EasyPost resends an event with the same id), and repeating it changes nothing.
 *
 * (The Node client also rewrites `"weight": 136` to `136.0` before hashing; that only repairs bodies
 * re-serialised by JSON.parse/stringify. We hash the bytes as received, which is what EasyPost signed.)
 *
 * `tracker.created` and `tracker.updated` give one update from the newest tracking detail; every
 * other event (batches, refunds, reports, …) parses to no updates, so it is acknowledged and
 * archived instead of being retried by EasyPost until the endpoint is disabled.
 */
export class EasyPostAdapter implements WebhookAdapter {
  readonly provider = 'easypost';
  readonly contentTypes = ['application/json'];
  /** An aggregator: one EasyPost account's trackers are of any carrier, and all go to every webhook. */
  readonly carriers = 'many';
  readonly signatureHeaders = [EASYPOST_SIGNATURE_HEADER];

  verify(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], _now?: Date): void {
    const received = headerValue(headers, EASYPOST_SIGNATURE_HEADER)?.trim().toLowerCase();
    if (!received) {
      throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'X-Hmac-Signature header is missing');
    }
    const given = Buffer.from(received, 'utf8');
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      const key = Buffer.from(secret.normalize('NFKD'), 'utf8');
      const digest = createHmac('sha256', key).update(rawBody).digest('hex');
      const expected = Buffer.from(`${SIGNATURE_PREFIX}${digest}`, 'utf8');
      if (expected.length === given.length && timingSafeEqual(expected, given)) return;
    }
    throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'no active secret matches X-Hmac-Signature');
  }

  parse(rawBody: Buffer, _headers?: WebhookHeaders): ParsedWebhook {
    const json = parseJson(rawBody);
    const envelope = validated(easyPostEnvelope, json);
    if (envelope.description !== 'tracker.created' && envelope.description !== 'tracker.updated') {
      return { providerEventId: envelope.id, updates: [] };
    }
    const event = validated(easyPostTrackerEvent, json);
    const tracker = event.result;
    const details = tracker.tracking_details ?? [];
    const index = details.length - 1;
    // EasyPost appends tracking details oldest first; the last is the newest.
    const latest = details[index];

    const status = tracker.status;
    const statusDetail = present(tracker.status_detail);
    const description = present(latest?.message) ?? present(latest?.description) ?? '';
    let occurredAt: Date;
    if (latest) occurredAt = dateOf(latest.datetime, `result.tracking_details.${index}.datetime`);
    else if (tracker.updated_at) occurredAt = dateOf(tracker.updated_at, 'result.updated_at');
    else if (event.created_at) occurredAt = dateOf(event.created_at, 'created_at');
    else {
      throw invalid([
        { path: 'result.updated_at', message: 'a time is required when result has no tracking_details' },
      ]);
    }

    const update: TrackingUpdate = withoutUndefined({
      carrierCode: easyPostCarrierCode(tracker.carrier),
      trackingNumber: tracker.tracking_code,
      ...easyPostStatusOf(status, statusDetail, description),
      location: latest ? locationOf(latest.tracking_location) : undefined,
      occurredAt,
      estimatedDelivery:
        calendarDateOf(tracker.carrier_detail?.est_delivery_date_local) ??
        calendarDateOf(tracker.est_delivery_date),
      rawCode: statusDetail ? `${status}/${statusDetail}` : status,
      rawDescription: description,
      // EasyPost's tracker carries no recipient (only `signed_by`, who may be a concierge): none is mapped.
      shipment: shipmentOf(tracker.carrier_detail),
      sourcePath: latest ? `result.tracking_details.${index}` : 'result',
    });
    return { providerEventId: event.id, updates: [update] };
  }
}

function locationOf(l: EasyPostTrackingLocation | null | undefined): TrackingLocation | undefined {
  if (!l) return undefined;
  return nonEmpty({
    country: countryOf(l.country),
    region: present(l.state),
    city: present(l.city),
    postalCode: present(l.zip),
  });
}

function shipmentOf(
  carrierDetail:
    | {
        origin_tracking_location?: EasyPostTrackingLocation | null;
        destination_tracking_location?: EasyPostTrackingLocation | null;
      }
    | null
    | undefined,
): ShipmentFacts | undefined {
  return nonEmpty({
    originCountry: countryOf(carrierDetail?.origin_tracking_location?.country),
    destinationCountry: countryOf(carrierDetail?.destination_tracking_location?.country),
  });
}

/** EasyPost writes ISO 3166-1 alpha-2 codes; anything else gives no country rather than a rejection. */
function countryOf(value: string | null | undefined): string | undefined {
  const code = value?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : undefined;
}
