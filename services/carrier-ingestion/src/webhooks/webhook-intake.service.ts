import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import {
  CARRIER_TRACKING_TOPIC,
  InvalidParcelReferenceError,
  TrackingStreamEventSchema,
  type carrier,
  type DigestKey,
} from '@portico/contracts';
import type { OutboxEvent } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { v7 as uuidv7 } from 'uuid';
import { CarrierAccountsService } from '../carrier-accounts/carrier-accounts.service';
import type { CarrierIngestionConfig } from '../config';
import { guardDatabase, TemporarilyUnavailableError } from '../shared/database-errors';
import { CARRIER_INGESTION_CONFIG, CLOCK, type Clock } from '../shared/tokens';
import { isWebhookProvider, WebhookAdapterRegistry } from './adapters/adapter-registry';
import {
  headerValue,
  mediaTypeOf,
  WebhookRejectedError,
  type PayloadIssue,
  type WebhookAdapter,
  type WebhookHeaders,
} from './adapters/webhook-adapter';
import { toTrackingEventRecorded, toTrackingStreamEvent } from './tracking-event.mapper';
import type { ParsedWebhook, TrackingUpdate } from './tracking-update';
import {
  CarrierAccountUnknownError,
  WebhookContentTypeError,
  WebhookPayloadError,
  WebhookSignatureError,
} from './webhook-errors';
import { WebhookMetrics, type IntakeOutcome } from './webhook-metrics';
import type { ProjectedScan } from '../parcels/parcel-projection';
import type { TrackingHistoryEntry } from '../parcels/tracking-history';
import { IntakeCommitter } from './intake-committer';

/** One HTTP delivery as the controller received it. */
export interface WebhookDelivery {
  readonly carrierAccountId: string;
  /** The exact bytes received: signatures are checked on these, and they are what is archived. */
  readonly rawBody: Buffer;
  readonly headers: WebhookHeaders;
  /** The HTTP request id (`x-request-id`), for the intake's log line. */
  readonly requestId?: string;
}

export type IntakeResult = (
  | { readonly status: 'accepted'; readonly events: number; readonly parcelIds: readonly string[] }
  | { readonly status: 'duplicate'; readonly events: 0; readonly parcelIds: readonly string[] }
) & {
  /** The provider's own reply body, for providers that expect one (see WebhookAdapter.acknowledgement). */
  readonly acknowledgement?: Readonly<Record<string, unknown>>;
};

/**
 * Headers archived with every body, whatever the provider; each adapter adds the headers its
 * signature depends on (`signatureHeaders`). Enough to re-verify and trace a delivery, nothing else.
 */
const ARCHIVED_HEADERS = [
  'content-type',
  'content-length',
  'user-agent',
  'x-request-id',
  'traceparent',
] as const;

const MAX_EVENT_ID_KEY_LENGTH = 200;

type TrackingOutboxEvent = OutboxEvent<typeof TrackingStreamEventSchema>;

/**
 * The front door: authenticate a carrier's delivery, then store it raw, deduplicate it and turn it
 * into canonical TrackingEventRecorded events, all in one transaction (shared with the deliveries
 * arriving at the same moment: see IntakeCommitter), so a 2xx always means
 * "durably stored and will be published" and a retry of the same delivery produces nothing twice.
 *
 *   unknown / disabled account  404 carrier_account_unknown   (nothing stored)
 *   bad or stale signature      401 webhook_signature_invalid | webhook_timestamp_out_of_tolerance
 *   invalid payload             400 webhook_payload_invalid, details.issues = paths + reasons
 *   database unavailable        503 temporarily_unavailable + Retry-After
 *   first delivery              202 { status: 'accepted', events: n }
 *   repeated delivery           200 { status: 'duplicate', events: 0 }
 *
 * The recipient's name and phone number go into the archive row only; events carry their keyed
 * digests, and logs, metrics, spans and error details carry ids and paths, never payload values.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly digestKey: DigestKey;

  constructor(
    private readonly accounts: CarrierAccountsService,
    private readonly adapters: WebhookAdapterRegistry,
    private readonly committer: IntakeCommitter,
    private readonly metrics: WebhookMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CARRIER_INGESTION_CONFIG) config: Pick<CarrierIngestionConfig, 'recipientDigestKeys'>,
    @InjectPinoLogger('webhook-intake') private readonly logger: PinoLogger,
  ) {
    const [newest] = config.recipientDigestKeys;
    if (!newest) throw new Error('RECIPIENT_DIGEST_KEYS has no key');
    this.digestKey = newest;
  }

  async receive(delivery: WebhookDelivery): Promise<IntakeResult> {
    const started = performance.now();
    const receivedAt = this.clock();
    const facts: { provider: string; parcelIds: readonly string[]; issues?: readonly PayloadIssue[] } = {
      provider: 'unknown',
      parcelIds: [],
    };
    let outcome: IntakeOutcome = 'failed';
    try {
      const result = await this.intake(delivery, receivedAt, facts);
      outcome = result.status;
      return result;
    } catch (error) {
      outcome = outcomeOf(error);
      if (error instanceof WebhookPayloadError) facts.issues = error.issues;
      throw error;
    } finally {
      trace.getActiveSpan()?.setAttribute('portico.outcome', outcome);
      const seconds = (performance.now() - started) / 1000;
      this.metrics.observe(facts.provider, outcome, seconds);
      // Accepted and duplicate deliveries are the bulk (thousands a second) and the metrics count
      // them: their line is debug. A refusal or failure is what an operator looks for: info.
      const level = outcome === 'accepted' || outcome === 'duplicate' ? 'debug' : 'info';
      this.logger[level](
        {
          // only ids, counts and paths: this line is written for every request, whatever it carried
          reqId: delivery.requestId,
          carrierAccountId: delivery.carrierAccountId.slice(0, 40),
          provider: facts.provider,
          outcome,
          webhookId: headerValue(delivery.headers, 'webhook-id')?.slice(0, 100),
          parcelIds: facts.parcelIds,
          issuePaths: facts.issues?.map((i) => i.path),
          durationMs: Math.round(seconds * 1000),
        },
        'webhook received',
      );
    }
  }

  private async intake(
    delivery: WebhookDelivery,
    receivedAt: Date,
    facts: { provider: string; parcelIds: readonly string[] },
  ): Promise<IntakeResult> {
    const credentials = await this.accounts.credentialsForIntake(delivery.carrierAccountId);
    if (!credentials) throw new CarrierAccountUnknownError();
    const { account, secrets } = credentials;
    const provider = account.provider;
    const adapter = this.adapters.find(provider);
    if (!adapter || !isWebhookProvider(provider)) {
      // An account created by a newer release (rolling deploy): another instance can take it.
      throw new TemporarilyUnavailableError(`no adapter for provider ${provider}`);
    }
    facts.provider = provider;
    if (!adapter.contentTypes.includes(mediaTypeOf(delivery.headers) ?? '')) {
      throw new WebhookContentTypeError(adapter.contentTypes);
    }

    // Authenticity first, on the raw bytes; nothing about the payload is looked at before.
    const parsed = this.authenticateAndParse(adapter, delivery, secrets, receivedAt);
    const sourceEventId = parsed.providerEventId ?? '';
    const events: TrackingOutboxEvent[] = [];
    const scans: ProjectedScan[] = [];
    const issues: PayloadIssue[] = [];
    parsed.updates.forEach((update, i) => {
      const where = update.sourcePath ?? `updates.${i}`;
      if (adapter.carriers !== 'many' && update.carrierCode !== account.carrierCode) {
        issues.push({
          path: where,
          message: `carrier must be this account's carrier code "${account.carrierCode}"`,
        });
        return;
      }
      try {
        const event = toTrackingEventRecorded(update, {
          tenantId: account.tenantId,
          carrierAccountId: account.id,
          provider,
          sourceEventId,
          receivedAt,
          digestKey: this.digestKey,
        });
        const message = toTrackingStreamEvent(event);
        events.push({
          topic: CARRIER_TRACKING_TOPIC.name,
          key: event.parcel!.parcelId,
          tenantId: account.tenantId,
          schema: TrackingStreamEventSchema,
          message,
        });
        scans.push({
          scan: {
            parcelId: event.parcel!.parcelId,
            carrierCode: event.parcel!.carrierCode,
            trackingNumber: event.parcel!.trackingNumber,
            status: update.status,
            occurredAt: update.occurredAt,
          },
          history: historyEntry(update, event, receivedAt),
          setLate: (late) => {
            if (message.event.case === 'trackingEventRecorded') message.event.value.late = late;
          },
        });
      } catch (e) {
        if (!(e instanceof InvalidParcelReferenceError) && !(e instanceof RangeError)) throw e;
        issues.push({ path: where, message: e.message });
      }
    });
    if (issues.length > 0) throw new WebhookPayloadError(issues);

    const parcelIds = [...new Set(events.map((e) => e.key))];
    facts.parcelIds = parcelIds;
    annotateSpan(account.id, parcelIds);

    const outcome = await guardDatabase(() =>
      this.committer.commit({
        receipt: {
          id: uuidv7(),
          receivedAt,
          carrierAccountId: account.id,
          provider,
          headers: archivedHeaders(delivery.headers, adapter.signatureHeaders),
          body: delivery.rawBody,
          dedupeKey: dedupeKeyOf(parsed.providerEventId, delivery.rawBody),
          providerEventId: parsed.providerEventId,
          parcelIds,
        },
        events,
        scans,
      }),
    );
    const firstSeen = outcome === 'accepted';
    if (firstSeen) {
      const unmapped = parsed.updates.filter((u) => u.status === 'unknown').length;
      if (unmapped > 0) this.metrics.countUnmappedStatuses(provider, unmapped);
    }
    return firstSeen
      ? {
          status: 'accepted',
          events: events.length,
          parcelIds,
          acknowledgement: adapter.acknowledgement?.('accepted'),
        }
      : {
          status: 'duplicate',
          events: 0,
          parcelIds,
          acknowledgement: adapter.acknowledgement?.('duplicate'),
        };
  }

  private authenticateAndParse(
    adapter: WebhookAdapter,
    delivery: WebhookDelivery,
    secrets: readonly string[],
    now: Date,
  ): ParsedWebhook {
    try {
      adapter.verify(delivery.rawBody, delivery.headers, secrets, now);
    } catch (e) {
      if (!(e instanceof WebhookRejectedError) || e.code === 'WEBHOOK_PAYLOAD_INVALID') throw e;
      throw new WebhookSignatureError(e.code);
    }
    // Decoding would quietly turn invalid bytes into U+FFFD in what we publish: refuse instead.
    if (!isUtf8(delivery.rawBody)) {
      throw new WebhookPayloadError([{ path: '(root)', message: 'body is not valid UTF-8' }]);
    }
    try {
      return adapter.parse(delivery.rawBody, delivery.headers);
    } catch (e) {
      if (!(e instanceof WebhookRejectedError)) throw e;
      throw new WebhookPayloadError(
        e.issues.length > 0 ? e.issues : [{ path: '(root)', message: 'the body is not a valid payload' }],
      );
    }
  }
}

/**
 * Operators find a parcel's trace by its id (one-way, not personal data): the request span gets the
 * first, and in a webhook with several parcels each further one gets a marker span of its own, since
 * trace search matches one attribute value per span.
 */
function annotateSpan(carrierAccountId: string, parcelIds: readonly string[]): void {
  const span = trace.getActiveSpan();
  if (!span || parcelIds.length === 0) return;
  span.setAttributes({ 'portico.parcel_id': parcelIds[0], 'portico.carrier_account_id': carrierAccountId });
  if (parcelIds.length === 1) return;
  span.setAttribute('portico.parcel_ids', [...parcelIds]);
  const tracer = trace.getTracer('carrier-ingestion');
  for (const parcel of parcelIds.slice(1)) {
    tracer.startSpan('webhook parcel', { attributes: { 'portico.parcel_id': parcel } }).end();
  }
}

function outcomeOf(error: unknown): IntakeOutcome {
  if (error instanceof CarrierAccountUnknownError) return 'unknown_account';
  if (error instanceof WebhookSignatureError) return 'rejected_signature';
  if (error instanceof WebhookPayloadError || error instanceof WebhookContentTypeError)
    return 'rejected_body';
  if (error instanceof TemporarilyUnavailableError) return 'unavailable';
  return 'failed';
}

/**
 * The provider's delivery id when it sends one (Standard Webhooks: `webhook-id`, the sender's
 * idempotency key, the same on every retry), otherwise the SHA-256 of the body. Prefixed so the two
 * kinds never collide; very long ids are hashed to keep the key small.
 */
export function dedupeKeyOf(providerEventId: string | undefined, rawBody: Buffer): string {
  if (providerEventId && providerEventId.length <= MAX_EVENT_ID_KEY_LENGTH) return `event:${providerEventId}`;
  if (providerEventId) return `event-sha256:${createHash('sha256').update(providerEventId).digest('hex')}`;
  return `body-sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

function archivedHeaders(
  headers: WebhookHeaders,
  signatureHeaders: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of new Set([...ARCHIVED_HEADERS, ...signatureHeaders])) {
    const value = headerValue(headers, name);
    if (value !== undefined) out[name] = value.slice(0, 2_000);
  }
  return out;
}

/** The parcel history's copy of an update: the published (scrubbed) facts, no recipient field. */
function historyEntry(
  update: TrackingUpdate,
  event: carrier.TrackingEventRecorded,
  receivedAt: Date,
): TrackingHistoryEntry {
  const l = event.location;
  return {
    parcelId: event.parcel!.parcelId,
    tenantId: event.tenantId,
    carrierCode: event.parcel!.carrierCode,
    status: update.status,
    holdReason: update.status === 'customs_hold' ? (update.customsHoldReason ?? null) : null,
    exceptionReason: update.status === 'exception' ? (update.exceptionReason ?? null) : null,
    location: l
      ? {
          countryCode: l.countryCode,
          region: l.region,
          city: l.city,
          postalCode: l.postalCode,
          description: l.description,
        }
      : null,
    rawStatusCode: event.rawStatusCode,
    rawDescription: event.rawDescription,
    occurredAt: update.occurredAt,
    receivedAt,
  };
}
