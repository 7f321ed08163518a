import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { trace } from '@opentelemetry/api';
import { installTestTracing } from '@portico/testing';
import {
  CARRIER_TRACKING_TOPIC,
  matchesRecipientDigest,
  parcelId,
  TrackingStreamEventSchema,
} from '@portico/contracts';
import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import { Registry } from '@portico/observability';
import { signedNativeWebhook, type NativeTrackingEvent } from '@portico/testing/platform';
import type { PinoLogger } from 'nestjs-pino';
import type { CarrierAccount } from '../carrier-accounts/carrier-account';
import type { CarrierAccountsService, IntakeCredentials } from '../carrier-accounts/carrier-accounts.service';
import { TemporarilyUnavailableError } from '../shared/database-errors';
import type { IntakeTransactions, IntakeTx } from './intake-transactions';
import { WebhookAdapterRegistry } from './adapters/adapter-registry';
import type { ParcelProjection } from '../parcels/parcel-projection';
import { IntakeCommitter } from './intake-committer';
import { CarrierAccountUnknownError, WebhookPayloadError, WebhookSignatureError } from './webhook-errors';
import { dedupeKeyOf, WebhookIntakeService, type WebhookDelivery } from './webhook-intake.service';
import { WebhookMetrics } from './webhook-metrics';
import type { DedupeClaim, WebhookReceipt, WebhookRepository } from './webhook.repository';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 8).toString('base64');
const NAME = '陈静磊';
const PHONE = '13955501234';
const digestKey = { id: 'k1', secret: 'digest-key-0123456789-abcdefghijklmnopq' };
const NOW = new Date();

const account: CarrierAccount = {
  id: 'ca_0123456789abcdef0123456789abcdef',
  tenantId: 'ten_harbour',
  provider: 'portico-native',
  carrierCode: 'demo-express',
  displayName: 'Demo Express',
  status: 'active',
  createdAt: NOW,
  updatedAt: NOW,
};

function holdEvent(trackingNumber = 'PX0001CN'): NativeTrackingEvent {
  return {
    carrier: 'demo-express',
    trackingNumber,
    status: 'customs_hold',
    customsHoldReason: 'id_documents_required',
    occurredAt: new Date(NOW.getTime() - 60_000).toISOString(),
    customsDeadline: new Date(NOW.getTime() + 72 * 3600_000).toISOString(),
    recipient: {
      name: NAME,
      phone: PHONE,
      postalCode: '200120',
      addressLine: '88 Century Avenue',
      unit: '12-03',
    },
    shipment: {
      originCountry: 'JP',
      destinationCountry: 'CN',
      declaredValue: { amount: '1280.00', currency: 'CNY' },
    },
  };
}

function deliveryOf(
  events: NativeTrackingEvent[],
  options: { secret?: string; id?: string; accountId?: string } = {},
) {
  const signed = signedNativeWebhook(options.secret ?? SECRET, events, { id: options.id });
  return {
    carrierAccountId: options.accountId ?? account.id,
    rawBody: Buffer.from(signed.body),
    headers: signed.headers,
  } satisfies WebhookDelivery;
}

function setup(
  options: { credentials?: IntakeCredentials | undefined; seen?: Set<string>; dbDown?: boolean } = {},
) {
  const credentials =
    'credentials' in options ? options.credentials : { account, secrets: [SECRET, OLD_SECRET] };
  const seen = options.seen ?? new Set<string>();
  const receipts: WebhookReceipt[] = [];
  const published: OutboxEvent<typeof TrackingStreamEventSchema>[] = [];
  const logs: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const metrics = new Registry();
  const accounts = { credentialsForIntake: jest.fn(async () => credentials) };
  const repo = {
    archive: jest.fn(async (_tx: IntakeTx, claims: DedupeClaim[], rs: Omit<WebhookReceipt, 'outcome'>[]) => {
      const claimed = new Set<string>();
      for (const k of claims) {
        if (seen.has(k.dedupeKey)) continue;
        seen.add(k.dedupeKey);
        claimed.add(k.receiptId);
      }
      const outcomes = new Map(rs.map((r) => [r.id, claimed.has(r.id) ? 'accepted' : 'duplicate'] as const));
      receipts.push(...rs.map((r) => ({ ...r, outcome: outcomes.get(r.id)! })));
      return outcomes;
    }),
  };
  const transactions = {
    run: jest.fn(async (work: (tx: IntakeTx) => Promise<unknown>) => {
      if (options.dbDown)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return work({} as IntakeTx);
    }),
  };
  const outbox = {
    encode: jest.fn((events: OutboxEvent<typeof TrackingStreamEventSchema>[]) => {
      published.push(...events);
      return { values: [[], [], [], [], []], appended: [] };
    }),
  };
  const projection = {
    record: jest.fn(async (_tx: IntakeTx, _scans: unknown, _now: Date, encodeEvents: () => unknown) => {
      encodeEvents();
    }),
  };
  const logAt = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void logs.push({ level, fields, msg });
  const logger = { debug: logAt('debug'), info: logAt('info') };
  const service = new WebhookIntakeService(
    accounts as unknown as CarrierAccountsService,
    new WebhookAdapterRegistry(),
    new IntakeCommitter(
      transactions as unknown as IntakeTransactions,
      repo as unknown as WebhookRepository,
      outbox as unknown as OutboxWriter,
      projection as unknown as ParcelProjection,
    ),
    new WebhookMetrics(metrics),
    () => NOW,
    { recipientDigestKeys: [digestKey] },
    logger as unknown as PinoLogger,
  );
  return { service, receipts, published, logs, metrics, repo, transactions, accounts };
}

async function counter(metrics: Registry, outcome: string): Promise<number> {
  const metric = await metrics.getSingleMetric('portico_webhook_requests_total')!.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('WebhookIntakeService', () => {
  it('stores the delivery raw and appends one TrackingEventRecorded per update, keyed by parcel id', async () => {
    const t = setup();
    const delivery = deliveryOf([holdEvent('PX0001CN'), holdEvent('PX0002CN')], { id: 'msg_abc' });

    const result = await t.service.receive(delivery);

    const p1 = parcelId('demo-express', 'PX0001CN');
    expect(result).toEqual({
      status: 'accepted',
      events: 2,
      parcelIds: [p1, parcelId('demo-express', 'PX0002CN')],
    });
    expect(t.transactions.run).toHaveBeenCalledTimes(1);
    expect(t.receipts).toHaveLength(1);
    expect(t.receipts[0]).toMatchObject({
      carrierAccountId: account.id,
      provider: 'portico-native',
      outcome: 'accepted',
      dedupeKey: 'event:msg_abc',
      providerEventId: 'msg_abc',
      receivedAt: NOW,
      parcelIds: result.parcelIds,
    });
    // the archive keeps the exact bytes, personal data included; nothing else does
    expect(t.receipts[0]!.body.equals(delivery.rawBody)).toBe(true);
    expect(t.receipts[0]!.headers['webhook-id']).toBe('msg_abc');
    expect(t.receipts[0]!.headers['content-type']).toBe('application/json');

    expect(t.published.map((e) => [e.topic, e.key, e.tenantId])).toEqual([
      [CARRIER_TRACKING_TOPIC.name, p1, 'ten_harbour'],
      [CARRIER_TRACKING_TOPIC.name, parcelId('demo-express', 'PX0002CN'), 'ten_harbour'],
    ]);
    const recorded = t.published[0]!.message.event;
    expect(recorded.case).toBe('trackingEventRecorded');
    const value = recorded.value!;
    expect(value.sourceEventId).toBe('msg_abc');
    expect(value.carrierAccountId).toBe(account.id);
    expect(matchesRecipientDigest(value.recipient?.nameDigest, 'name', NAME, [digestKey])).toBe(true);
    expect(value.shipment?.declaredValue?.amountMinor).toBe(128000n);
    expect(await counter(t.metrics, 'accepted')).toBe(1);
  });

  it('answers a repeated delivery as a duplicate: archived, nothing appended', async () => {
    const t = setup();
    const delivery = deliveryOf([holdEvent()], { id: 'msg_same' });
    await t.service.receive(delivery);
    const again = await t.service.receive(deliveryOf([holdEvent()], { id: 'msg_same' }));

    expect(again).toMatchObject({ status: 'duplicate', events: 0 });
    expect(t.published).toHaveLength(1);
    expect(t.receipts.map((r) => r.outcome)).toEqual(['accepted', 'duplicate']);
    expect(await counter(t.metrics, 'duplicate')).toBe(1);
    expect(t.logs.map((l) => [l.fields.outcome, l.level])).toEqual([
      ['accepted', 'debug'],
      ['duplicate', 'debug'],
    ]);
  });

  it('accepts either active secret during a rotation', async () => {
    const t = setup();
    await expect(t.service.receive(deliveryOf([holdEvent()], { secret: OLD_SECRET }))).resolves.toMatchObject(
      {
        status: 'accepted',
      },
    );
  });

  it('answers unknown and disabled accounts alike, before looking at the payload', async () => {
    const t = setup({ credentials: undefined });
    await expect(t.service.receive(deliveryOf([holdEvent()]))).rejects.toBeInstanceOf(
      CarrierAccountUnknownError,
    );
    expect(t.transactions.run).not.toHaveBeenCalled();
    expect(await counter(t.metrics, 'unknown_account')).toBe(1);
    const metric = await t.metrics.getSingleMetric('portico_webhook_requests_total')!.get();
    expect(metric.values[0]!.labels.carrier_account_provider).toBe('unknown');
  });

  it('rejects a wrong signature with 401 and stores nothing', async () => {
    const t = setup();
    const other = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const error = await t.service
      .receive(deliveryOf([holdEvent()], { secret: other }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect(error).toMatchObject({ status: 401, code: 'webhook_signature_invalid' });
    expect(t.transactions.run).not.toHaveBeenCalled();
    expect(await counter(t.metrics, 'rejected_signature')).toBe(1);
    expect(t.logs.map((l) => [l.fields.outcome, l.level])).toEqual([['rejected_signature', 'info']]);
  });

  it('rejects an account without any usable secret as a bad signature', async () => {
    const t = setup({ credentials: { account, secrets: [] } });
    await expect(t.service.receive(deliveryOf([holdEvent()]))).rejects.toMatchObject({
      code: 'webhook_signature_invalid',
    });
  });

  it('rejects an invalid payload with 400, paths only, and stores nothing', async () => {
    const t = setup();
    const bad = {
      ...holdEvent(),
      customsHoldReason: undefined,
      recipient: { name: NAME, phone: PHONE.repeat(5) },
    };
    const error = (await t.service
      .receive(deliveryOf([bad]))
      .catch((e: unknown) => e)) as WebhookPayloadError;
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error.status).toBe(400);
    const paths = (error.details!.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['data.events.0.recipient.phone', 'data.events.0.customsHoldReason']),
    );
    expect(JSON.stringify(error.details)).not.toContain(PHONE);
    expect(t.transactions.run).not.toHaveBeenCalled();
    expect(t.logs[0]).toMatchObject({ level: 'info' }); // a refusal stays visible at the default level
    expect(t.logs[0]!.fields).toMatchObject({
      outcome: 'rejected_body',
      issuePaths: expect.arrayContaining(paths),
    });
  });

  it("refuses updates for another carrier than the account's", async () => {
    const t = setup();
    const error = (await t.service
      .receive(deliveryOf([holdEvent(), { ...holdEvent(), carrier: 'sf-express' }]))
      .catch((e: unknown) => e)) as WebhookPayloadError;
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error.issues).toEqual([
      { path: 'data.events.1', message: expect.stringContaining('demo-express') },
    ]);
    expect(t.published).toHaveLength(0);
  });

  it('refuses a tracking number that normalises to nothing', async () => {
    const t = setup();
    await expect(t.service.receive(deliveryOf([holdEvent('- - - -')]))).rejects.toBeInstanceOf(
      WebhookPayloadError,
    );
  });

  it('turns an unreachable database into 503 temporarily_unavailable, never a 2xx', async () => {
    const t = setup({ dbDown: true });
    await expect(t.service.receive(deliveryOf([holdEvent()]))).rejects.toBeInstanceOf(
      TemporarilyUnavailableError,
    );
    expect(await counter(t.metrics, 'unavailable')).toBe(1);
    expect(t.logs.map((l) => [l.fields.outcome, l.level])).toEqual([['unavailable', 'info']]);
  });

  it('logs one line per webhook with ids and outcome, never the recipient', async () => {
    const t = setup();
    await t.service.receive(deliveryOf([holdEvent()], { id: 'msg_log' }));
    expect(t.logs).toHaveLength(1);
    expect(t.logs[0]).toMatchObject({
      level: 'debug', // accepted: the bulk of the traffic, counted by the metrics
      msg: 'webhook received',
      fields: {
        carrierAccountId: account.id,
        provider: 'portico-native',
        outcome: 'accepted',
        webhookId: 'msg_log',
        parcelIds: [parcelId('demo-express', 'PX0001CN')],
      },
    });
    const line = JSON.stringify(t.logs);
    expect(line).not.toContain(NAME);
    expect(line).not.toContain(PHONE);
  });

  it('puts the parcel id on the active span', async () => {
    const { exporter, uninstall } = installTestTracing();
    try {
      const t = setup();
      await trace.getTracer('test').startActiveSpan('POST /webhooks/:carrierAccountId', async (span) => {
        await t.service.receive(deliveryOf([holdEvent()]));
        span.end();
      });
      const [span] = exporter.getFinishedSpans();
      expect(span!.attributes['portico.parcel_id']).toBe(parcelId('demo-express', 'PX0001CN'));
      expect(span!.attributes['portico.carrier_account_id']).toBe(account.id);
      expect(span!.attributes['portico.outcome']).toBe('accepted');
      expect(JSON.stringify(span!.attributes)).not.toContain(PHONE);

      // several parcels in one webhook: each is findable by its own span attribute
      exporter.reset();
      await trace.getTracer('test').startActiveSpan('POST', async (request) => {
        await t.service.receive(
          deliveryOf([holdEvent('PX0001CN'), holdEvent('PX0002CN'), holdEvent('PX0003CN')]),
        );
        request.end();
      });
      const tagged = exporter.getFinishedSpans().map((s) => s.attributes['portico.parcel_id']);
      expect(tagged.sort()).toEqual(
        ['PX0001CN', 'PX0002CN', 'PX0003CN'].map((n) => parcelId('demo-express', n)).sort(),
      );
    } finally {
      uninstall();
    }
  });

  it('publishes a record the topic decoder reads back', async () => {
    const t = setup();
    await t.service.receive(deliveryOf([holdEvent()]));
    const { message } = t.published[0]!;
    const bytes = toBinary(TrackingStreamEventSchema, message);
    const decoded = fromBinary(TrackingStreamEventSchema, bytes);
    expect(decoded.event.case).toBe('trackingEventRecorded');
    expect(Buffer.from(bytes).includes(Buffer.from(NAME))).toBe(false);
    expect(Buffer.from(bytes).includes(Buffer.from(PHONE))).toBe(false);
  });
});

describe('dedupeKeyOf', () => {
  it('uses the provider event id, else the body hash', () => {
    expect(dedupeKeyOf('msg_1', Buffer.from('{}'))).toBe('event:msg_1');
    expect(dedupeKeyOf(undefined, Buffer.from('{}'))).toBe(
      'body-sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    expect(dedupeKeyOf('x'.repeat(300), Buffer.from('{}'))).toMatch(/^event-sha256:[0-9a-f]{64}$/);
  });
});
