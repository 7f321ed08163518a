import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  ParsedWebhook,
  RecipientDetails,
  ShipmentFacts,
  TrackingLocation,
  TrackingUpdate,
} from '../../tracking-update';
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
import { iso2FromIso3 } from './aftership-countries';
import { afterShipStatusOf } from './aftership-status-map';
import {
  type AfterShipCheckpoint,
  type AfterShipTracking,
  afterShipEnvelope,
  afterShipTrackingUpdate,
} from './aftership.schema';

export const AFTERSHIP_SIGNATURE_HEADER = 'aftership-hmac-sha256';

/**
 * AfterShip Tracking webhooks (docs/webhooks/aftership.md). AfterShip signs the raw body with
 * base64(HMAC-SHA256(webhook secret as UTF-8, body)) in `aftership-hmac-sha256` and nothing else:
 * there is no timestamp header, so there is no tolerance check here. Replays of a captured delivery
 * are harmless because the intake deduplicates on `event_id` (the same on AfterShip's retries) and
 * the parcel's state is a function of the updates, not of how often one arrives.
 *
 * Only `tracking_update` carries a tracking update: one per webhook, from the latest checkpoint (or
 * from the tracking's own tag when it has none, or when it has expired). `edd_revise` and
 * `tracking_pending_time` parse to no updates, so they are acknowledged and archived, never retried.
 */
export class AfterShipAdapter implements WebhookAdapter {
  readonly provider = 'aftership';
  readonly contentTypes = ['application/json'];
  /** An aggregator: one AfterShip organisation posts the parcels of all its carriers to one URL. */
  readonly carriers = 'many';
  readonly signatureHeaders = [AFTERSHIP_SIGNATURE_HEADER];

  verify(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], _now?: Date): void {
    const received = headerValue(headers, AFTERSHIP_SIGNATURE_HEADER)?.trim();
    if (!received) {
      throw new WebhookRejectedError(
        'WEBHOOK_SIGNATURE_INVALID',
        `${AFTERSHIP_SIGNATURE_HEADER} header is missing`,
      );
    }
    const given = Buffer.from(received, 'utf8');
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('base64'), 'utf8');
      if (expected.length === given.length && timingSafeEqual(expected, given)) return;
    }
    throw new WebhookRejectedError(
      'WEBHOOK_SIGNATURE_INVALID',
      `no active secret matches ${AFTERSHIP_SIGNATURE_HEADER}`,
    );
  }

  parse(rawBody: Buffer, _headers?: WebhookHeaders): ParsedWebhook {
    const json = parseJson(rawBody);
    const envelope = validated(afterShipEnvelope, json);
    if (envelope.event !== 'tracking_update') {
      return { providerEventId: envelope.event_id ?? undefined, updates: [] };
    }
    const body = validated(afterShipTrackingUpdate, json);
    const msg = body.msg;
    const checkpoints = msg.checkpoints ?? [];
    const index = checkpoints.length - 1;
    const latest = checkpoints[index];

    // AfterShip appends checkpoints oldest first; the last is the newest. An expired tracking has
    // no checkpoint of its own, so its tag is the news.
    const update =
      latest && msg.tag !== 'Expired'
        ? fromCheckpoint(msg, latest, index)
        : fromTracking(msg, body.ts ?? undefined, latest);

    return {
      // retries of one delivery keep event_id; without it, the tracking plus its newest checkpoint
      providerEventId: body.event_id ?? (latest ? `${msg.id}:${latest.checkpoint_time}` : undefined),
      updates: [update],
    };
  }
}

function fromCheckpoint(
  msg: AfterShipTracking,
  checkpoint: AfterShipCheckpoint,
  index: number,
): TrackingUpdate {
  const sourcePath = `msg.checkpoints.${index}`;
  const ownTag = present(checkpoint.tag);
  const tag = ownTag ?? msg.tag;
  const subtag = ownTag ? present(checkpoint.subtag) : present(msg.subtag);
  const description = present(checkpoint.message) ?? present(checkpoint.subtag_message) ?? '';
  return withoutUndefined({
    ...common(msg),
    ...afterShipStatusOf(tag, subtag, description),
    location: locationOf(checkpoint),
    occurredAt: dateOf(checkpoint.checkpoint_time, `${sourcePath}.checkpoint_time`),
    rawCode: subtag ?? tag,
    rawDescription: description,
    sourcePath,
  });
}

function fromTracking(
  msg: AfterShipTracking,
  ts: number | undefined,
  latest: AfterShipCheckpoint | undefined,
): TrackingUpdate {
  const subtag = present(msg.subtag);
  const description = present(msg.subtag_message) ?? '';
  let occurredAt: Date;
  if (ts !== undefined) occurredAt = new Date(ts * 1000);
  else if (msg.updated_at) occurredAt = dateOf(msg.updated_at, 'msg.updated_at');
  else if (latest) occurredAt = dateOf(latest.checkpoint_time, 'msg.checkpoints');
  else {
    throw invalid([{ path: 'ts', message: 'ts or msg.updated_at is required when msg has no checkpoints' }]);
  }
  return withoutUndefined({
    ...common(msg),
    ...afterShipStatusOf(msg.tag, subtag, description),
    occurredAt,
    rawCode: subtag ?? msg.tag,
    rawDescription: description,
    sourcePath: 'msg',
  });
}

function common(msg: AfterShipTracking) {
  return {
    // AfterShip's slugs are Portico's carrier codes, so the same parcel gets the same parcel id
    // whichever aggregator reports it.
    carrierCode: msg.slug.toLowerCase(),
    trackingNumber: msg.tracking_number,
    estimatedDelivery: estimatedDeliveryOf(msg),
    recipient: recipientOf(msg),
    shipment: shipmentOf(msg),
  };
}

/** The newest estimate AfterShip has: its summary field first, then the courier's, its own, the merchant's. */
function estimatedDeliveryOf(msg: AfterShipTracking): string | undefined {
  const candidates = [
    msg.latest_estimated_delivery?.datetime,
    msg.courier_estimated_delivery_date?.estimated_delivery_date,
    msg.aftership_estimated_delivery_date?.estimated_delivery_date,
    msg.custom_estimated_delivery_date?.datetime,
    msg.expected_delivery,
  ];
  for (const candidate of candidates) {
    const date = calendarDateOf(candidate);
    if (date) return date;
  }
  return undefined;
}

function locationOf(checkpoint: AfterShipCheckpoint): TrackingLocation | undefined {
  return nonEmpty({
    country: iso2FromIso3(checkpoint.country_region ?? checkpoint.country_iso3),
    region: present(checkpoint.state),
    city: present(checkpoint.city),
    postalCode: present(checkpoint.postal_code ?? checkpoint.zip),
    description: present(checkpoint.location),
  });
}

/** The recipient as AfterShip knows it (the merchant's customer); only what it sent. */
function recipientOf(msg: AfterShipTracking): RecipientDetails | undefined {
  const customers = msg.customers ?? [];
  const person =
    customers.find((c) => c.role === 'receiver') ?? customers.find((c) => c.role === 'buyer') ?? customers[0];
  return nonEmpty({
    name: present(person?.name) ?? present(msg.customer_name),
    phone: present(person?.phone_number) ?? present(msg.smses?.[0]),
    country: iso2FromIso3(msg.destination_country_region ?? msg.destination_country_iso3),
    region: present(msg.destination_state),
    city: present(msg.destination_city),
    postalCode: present(msg.destination_postal_code),
  });
}

function shipmentOf(msg: AfterShipTracking): ShipmentFacts | undefined {
  return nonEmpty({
    originCountry: iso2FromIso3(msg.origin_country_region ?? msg.origin_country_iso3),
    destinationCountry: iso2FromIso3(msg.destination_country_region ?? msg.destination_country_iso3),
  });
}
