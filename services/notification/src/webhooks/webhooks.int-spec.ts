/* eslint-disable @typescript-eslint/no-explicit-any -- the spec reads the API's JSON answers loosely, as a subscriber would */
// Outbound webhooks against the real broker and Postgres: notification runs as in production
// (bootstrapService, its migrations, its consumer group), clearance's events are published onto the
// shared topic the way clearance publishes them, and a local HTTP receiver plays the property
// systems. Every request it gets is verified with the official `standardwebhooks` package, as a
// subscriber would. Tenants, parcels and the group are unique per run (the topics are shared).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ApiKeyService, PostgresApiKeyRepository, signDevToken } from '@portico/auth';
import {
  carrier,
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  common,
  dlqTopicName,
  NOTIFICATION_OUTREACH_TOPIC,
  NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
  WebhookSubscriptionEventSchema,
  parcelRef,
  retryTopicName,
  type ClearanceCaseEvent,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { createLogger } from '@portico/observability';
import { bootstrapService, runMigrations, type RunningService } from '@portico/service-kit';
import {
  createTestDatabase,
  deleteTopics,
  getTestKafka,
  installTestTracing,
  testKafkaClient,
  waitFor,
  type TestDatabase,
} from '@portico/testing';
import { logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { migrations } from '../../migrations';
import { AppModule } from '../app.module';
import { loadServiceConfig, settings, type NotificationConfig } from '../config';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

// A tracer that records, and W3C propagation: the service's spans land in `spans`.
const { exporter: spans } = installTestTracing();

const run = randomBytes(4).toString('hex');
const secret = () => randomBytes(32).toString('base64url');
const TENANT_A = `ten_wh_a_${run}`;
const TENANT_B = `ten_wh_b_${run}`;
// Stands in for what must never reach a subscriber: a digest of the waybill name on CaseOpened.
const NAME_DIGEST = randomBytes(32);

interface Received {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly at: number;
  readonly status: number;
}

/** The property systems: records every request; `behaviour` decides the answer per path. */
class SimulatedPropertySystems {
  readonly received: Received[] = [];
  behaviour = new Map<string, (r: Omit<Received, 'status' | 'at'>) => number | 'hang'>();
  private readonly hanging = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
        const r = { path: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') };
        const decide = this.behaviour.get(r.path);
        const answer = decide ? decide(r) : 200;
        if (answer === 'hang') {
          this.hanging.add(res);
          this.received.push({ ...r, at: Date.now(), status: 0 });
          return;
        }
        this.received.push({ ...r, at: Date.now(), status: answer });
        res.writeHead(answer, { 'content-type': 'application/json' });
        res.end(answer >= 300 ? '{"error":"simulated failure"}' : '{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

const fakeProcess = () => ({ on: () => undefined, removeListener: () => undefined, exit: () => undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('outbound webhooks (real Kafka + Postgres, a local receiver verifying with standardwebhooks)', () => {
  const log = memoryLog();
  const receiver = new SimulatedPropertySystems();
  const devTokenKey = secret();
  const pepper = secret();
  const group = `notification-wh-it-${run}`;
  const path = (name: string) => `/${run}/${name}`;
  let db: TestDatabase;
  let brokers: string[];
  let config: NotificationConfig;
  let service: RunningService;
  let producer: Producer;
  let pg: Client;
  let keyA = '';
  let keyB = '';
  const secretsSeen: string[] = [];

  const operator = () =>
    signDevToken(
      { subject: 'it-operator', roles: ['operator'], tenantId: undefined, propertyIds: [] },
      { key: devTokenKey, issuer: config.authIssuer, audience: config.authAudience },
    );

  async function call(p: string, options: { method?: string; bearer?: string; body?: unknown } = {}) {
    const res = await fetch(`${service.url}${p}`, {
      method: options.method ?? 'GET',
      headers: {
        authorization: `Bearer ${options.bearer ?? keyA}`,
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  async function subscribe(bearer: string, name: string, eventTypes = ['*']) {
    const res = await call('/v1/webhooks/subscriptions', {
      method: 'POST',
      bearer,
      body: { url: `${receiver.url}${path(name)}`, eventTypes, description: `it ${name}` },
    });
    expect(res.status).toBe(201);
    secretsSeen.push(res.json.secret as string);
    return { id: res.json.subscription.id as string, secret: res.json.secret as string };
  }

  function startService(): Promise<RunningService> {
    const logger = createLogger({ serviceName: config.serviceName, level: 'debug', destination: log.stream });
    return bootstrapService({
      module: AppModule.forRoot(config),
      config,
      settings,
      logger,
      process: fakeProcess(),
    });
  }

  function caseEvent(
    tenantId: string,
    ref: common.ParcelRef,
    kind: 'caseOpened' | 'documentsReceived' | 'reviewStarted',
    caseId: string,
  ): ClearanceCaseEvent {
    const base = {
      caseId,
      tenantId,
      parcel: ref,
      propertyId: `prop_${run}`,
      occurredAt: timestampFromDate(new Date()),
    };
    switch (kind) {
      case 'caseOpened':
        return create(ClearanceCaseEventSchema, {
          event: {
            case: 'caseOpened',
            value: create(clearance.CaseOpenedSchema, {
              ...base,
              state: clearance.CaseState.AWAITING_DOCUMENTS,
              holdReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
              requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
              recipientNameDigest: create(common.KeyedDigestSchema, { value: NAME_DIGEST, keyId: 'k1' }),
            }),
          },
        });
      case 'documentsReceived':
        return create(ClearanceCaseEventSchema, {
          event: {
            case: 'documentsReceived',
            value: create(clearance.DocumentsReceivedSchema, {
              ...base,
              state: clearance.CaseState.DOCUMENTS_RECEIVED,
              documentIds: [`doc_${run}`],
              round: 1,
            }),
          },
        });
      case 'reviewStarted':
        return create(ClearanceCaseEventSchema, {
          event: {
            case: 'reviewStarted',
            value: create(clearance.ReviewStartedSchema, {
              ...base,
              state: clearance.CaseState.UNDER_REVIEW,
            }),
          },
        });
    }
  }

  async function publish(
    tenantId: string,
    message: ClearanceCaseEvent,
    key: string,
    options: { eventId?: string; traceparent?: string } = {},
  ) {
    const record = encodeEvent({
      schema: ClearanceCaseEventSchema,
      message,
      key,
      tenantId,
      eventId: options.eventId,
    });
    const headers: Record<string, string> = { ...record.headers };
    if (options.traceparent) headers.traceparent = options.traceparent;
    await producer.send({
      topic: CLEARANCE_CASE_TOPIC.name,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers }],
    });
    return record;
  }

  const bodyOf = (r: Received) =>
    JSON.parse(r.body) as { type: string; eventId: string; data: Record<string, any> };
  const delivered = (p: string) => receiver.on(p).filter((r) => r.status >= 200 && r.status < 300);

  beforeAll(async () => {
    await receiver.start();
    ({ brokers } = await getTestKafka());
    db = await createTestDatabase('notification');
    const loaded = loadServiceConfig({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: group,
      KAFKA_CONSUMER_GROUP: group,
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '8000',
      AUTH_DEV_TOKEN_KEY: devTokenKey,
      AUTH_API_KEY_PEPPERS: `p1=${pepper}`,
      RECIPIENT_DIGEST_KEYS: `k1=${secret()}`,
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_PRIVATE_NETWORKS: '127.0.0.1/32',
      // A fast schedule: four attempts within ~4.5 s.
      WEBHOOK_RETRY_SCHEDULE_MS: '300,600,1200,2400',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_BREAKER_THRESHOLD: '3',
      WEBHOOK_BREAKER_COOLDOWN_MS: '500',
      WEBHOOK_AUTO_DISABLE_AFTER_MS: '2500',
      WEBHOOK_SECRET_OVERLAP_MS: '600000',
      // Long enough for the restart test to stop the service while a send hangs.
      OUTBOUND_WEBHOOK_TIMEOUT_MS: '4000',
    });
    config = { ...loaded, httpPort: 0 };
    await runMigrations(config, migrations, createLogger({ serviceName: 'wh-it', level: 'silent' }));
    service = await startService();
    producer = createIdempotentProducer(
      createKafka({ brokers, clientId: `${group}-test-producer`, logLevel: logLevel.NOTHING }),
    );
    await producer.connect();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const keys = new ApiKeyService(new PostgresApiKeyRepository(pg), {
      peppers: [{ id: 'p1', secret: pepper }],
      environment: config.apiKeyEnvironment,
    });
    const scopes = ['webhooks:read', 'webhooks:write'];
    keyA = (await keys.issue({ tenantId: TENANT_A, name: 'pms a', scopes })).apiKey;
    keyB = (await keys.issue({ tenantId: TENANT_B, name: 'pms b', scopes })).apiKey;
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await pg?.end().catch(() => undefined);
    await service?.shutdown('test finished').catch(() => undefined);
    await receiver.stop().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    if (brokers) {
      const derived = [CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC].flatMap((t) => [
        retryTopicName(t, group),
        dlqTopicName(t, group),
      ]);
      // carrier.tracking.v1's too: the app consumes it as well
      derived.push(retryTopicName('carrier.tracking.v1', group), dlqTopicName('carrier.tracking.v1', group));
      await deleteTopics(brokers, derived).catch(() => undefined);
      const admin = testKafkaClient(brokers).admin();
      await admin.connect();
      await admin.deleteGroups([group, `${group}.retry`]).catch(() => undefined);
      await admin.disconnect();
    }
  }, 60_000);

  let subA: { id: string; secret: string };
  let subB: { id: string; secret: string };

  it('manages subscriptions per tenant and refuses bad input with codes, without echoing it', async () => {
    subA = await subscribe(keyA, 'a');
    subB = await subscribe(keyB, 'b');
    expect(subA.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(subA.secret.slice(6), 'base64')).toHaveLength(32);

    const got = await call(`/v1/webhooks/subscriptions/${subA.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: subA.id, tenantId: TENANT_A, eventTypes: ['*'], enabled: true });
    expect(got.text).not.toContain(subA.secret);
    // Stored sealed: the secret's bytes are nowhere in the table.
    const stored = await pg.query(`SELECT ciphertext FROM webhook_secrets WHERE subscription_id = $1`, [
      subA.id,
    ]);
    expect(stored.rows).toHaveLength(1);
    const raw = Buffer.from(subA.secret.slice(6), 'base64');
    expect((stored.rows[0].ciphertext as Buffer).includes(raw)).toBe(false);

    // Tenant B's key sees only B's subscription, and A's id is "not found" to it.
    const listB = await call('/v1/webhooks/subscriptions', { bearer: keyB });
    expect((listB.json.items as { id: string }[]).map((s) => s.id)).toEqual([subB.id]);
    expect((await call(`/v1/webhooks/subscriptions/${subA.id}`, { bearer: keyB })).json.error.code).toBe(
      'subscription_not_found',
    );
    const foreign = await call('/v1/webhooks/subscriptions', {
      method: 'POST',
      bearer: keyB,
      body: { tenantId: TENANT_A, url: `${receiver.url}/x`, eventTypes: ['*'] },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('tenant_mismatch');

    const bad = async (body: unknown, status: number, code: string) => {
      const res = await call('/v1/webhooks/subscriptions', { method: 'POST', body });
      expect([res.status, res.json.error?.code]).toEqual([status, code]);
      expect(res.json.error.message.zh).toBeTruthy();
      expect(res.json.error.message.en).toBeTruthy();
      return res;
    };
    const withPassword = await bad(
      { url: 'https://pms:hunter2-secret@pms.example.com/h', eventTypes: ['*'] },
      400,
      'webhook_url_rejected',
    );
    expect(withPassword.text).not.toContain('hunter2-secret');
    expect(
      (await bad({ url: 'https://10.0.0.5/h', eventTypes: ['*'] }, 400, 'webhook_url_rejected')).json.error
        .details.reason,
    ).toBe('private_address');
    await bad({ url: 'https://169.254.169.254/latest', eventTypes: ['*'] }, 400, 'webhook_url_rejected');
    await bad({ url: `${receiver.url}/x`, eventTypes: ['clearance.case.opend'] }, 400, 'unknown_event_type');
    await bad({ url: `${receiver.url}/x`, eventTypes: [] }, 400, 'validation_failed');
    await bad({ url: `${receiver.url}/x` }, 400, 'validation_failed');
    const patched = await call(`/v1/webhooks/subscriptions/${subA.id}`, {
      method: 'PATCH',
      body: { url: 'ftp://x' },
    });
    expect(patched.json.error.code).toBe('webhook_url_rejected');
    const unknown = await call(`/v1/webhooks/subscriptions/whsub_${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect((await call('/v1/webhooks/subscriptions', { bearer: 'pk_test_nope' })).status).toBe(401);
    // nothing half-written by the refusals
    const { rows } = await pg.query(`SELECT tenant_id FROM webhook_subscriptions ORDER BY tenant_id`);
    expect(rows.map((r) => r.tenant_id)).toEqual([TENANT_A, TENANT_B]);
    // Operators see every tenant and must name one to create.
    const all = await call('/v1/webhooks/subscriptions', { bearer: await operator() });
    expect((all.json.items as unknown[]).length).toBe(2);
    const noTenant = await call('/v1/webhooks/subscriptions', {
      method: 'POST',
      bearer: await operator(),
      body: { url: `${receiver.url}/x`, eventTypes: ['*'] },
    });
    expect(noTenant.json.error.code).toBe('tenant_required');
  });

  it('delivers signed, traced webhooks to the own tenant only, once per event however often Kafka delivers it', async () => {
    const ref = parcelRef('it-express', `WH${run}A`);
    const traceId = randomBytes(16).toString('hex');
    const parentSpan = randomBytes(8).toString('hex');
    const traceparent = `00-${traceId}-${parentSpan}-01`;
    const record = await publish(
      TENANT_A,
      caseEvent(TENANT_A, ref, 'caseOpened', `case_${run}_a`),
      ref.parcelId,
      {
        traceparent,
      },
    );
    // the same record again (a redelivery)
    await publish(TENANT_A, caseEvent(TENANT_A, ref, 'caseOpened', `case_${run}_a`), ref.parcelId, {
      eventId: record.eventId,
      traceparent,
    });
    await waitFor(() => delivered(path('a')).length >= 1, {
      timeoutMs: 60_000,
      description: "tenant A's webhook",
    });
    await sleep(1_500);
    const got = delivered(path('a'));
    expect(got).toHaveLength(1);
    const r = got[0]!;
    // The subscriber's check, with the official package.
    expect(() => new Webhook(subA.secret).verify(r.body, r.headers)).not.toThrow();
    expect(() => new Webhook(subB.secret).verify(r.body, r.headers)).toThrow();
    expect(r.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(r.headers['content-type']).toBe('application/json');
    // traceparent: the event's trace, a span of ours as parent (the send span)
    const [, tid, sid] = r.headers.traceparent!.split('-');
    expect(tid).toBe(traceId);
    expect(sid).not.toBe(parentSpan);
    const send = spans
      .getFinishedSpans()
      .find((s) => s.name === 'webhook deliver' && s.spanContext().spanId === sid);
    expect(send?.attributes).toMatchObject({
      'portico.webhook.subscription_id': subA.id,
      'portico.webhook.event_type': 'clearance.case.opened',
      'portico.parcel_id': ref.parcelId,
      'portico.webhook.attempt': 1,
      'http.response.status_code': 200,
    });

    const body = bodyOf(r);
    expect(body).toMatchObject({
      type: 'clearance.case.opened',
      version: 1,
      eventId: record.eventId,
      tenantId: TENANT_A,
      data: {
        caseId: `case_${run}_a`,
        state: 'awaiting_documents',
        parcel: { parcelId: ref.parcelId, carrierCode: 'it-express', trackingNumber: ref.trackingNumber },
      },
    });
    expect(r.body).not.toContain(NAME_DIGEST.toString('base64'));
    expect(r.body).not.toContain(NAME_DIGEST.toString('hex'));
    // Each tenant's subscription gets its own tenant's events only.
    const refB = parcelRef('it-express', `WH${run}B`);
    await publish(TENANT_B, caseEvent(TENANT_B, refB, 'caseOpened', `case_${run}_b`), refB.parcelId);
    await waitFor(() => delivered(path('b')).length >= 1, {
      timeoutMs: 30_000,
      description: "tenant B's webhook",
    });
    await sleep(500);
    expect(delivered(path('b')).map((x) => bodyOf(x).data.parcel.parcelId)).toEqual([refB.parcelId]);
    expect(() =>
      new Webhook(subB.secret).verify(delivered(path('b'))[0]!.body, delivered(path('b'))[0]!.headers),
    ).not.toThrow();
    expect(receiver.on(path('a')).filter((x) => x.body.includes(TENANT_B))).toEqual([]);
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = $1`, [
      record.eventId,
    ]);
    expect(rows[0].n).toBe(1);
  }, 90_000);

  it('keeps each parcel in order while an earlier delivery retries, without holding up other parcels', async () => {
    const sub = await subscribe(keyA, 'order', ['clearance.case.*']);
    const slow = parcelRef('it-express', `WH${run}ORD`);
    const other = parcelRef('it-express', `WH${run}OTH`);
    const caseId = `case_${run}_ord`;
    let firstFailures = 0;
    receiver.behaviour.set(path('order'), (r) => {
      const b = JSON.parse(r.body) as { type: string; data: { parcel: { parcelId: string } } };
      if (
        b.data.parcel.parcelId === slow.parcelId &&
        b.type === 'clearance.case.opened' &&
        firstFailures < 2
      ) {
        firstFailures++;
        return 500;
      }
      return 204;
    });
    await publish(TENANT_A, caseEvent(TENANT_A, slow, 'caseOpened', caseId), slow.parcelId);
    await publish(TENANT_A, caseEvent(TENANT_A, slow, 'documentsReceived', caseId), slow.parcelId);
    await publish(TENANT_A, caseEvent(TENANT_A, slow, 'reviewStarted', caseId), slow.parcelId);
    await publish(TENANT_A, caseEvent(TENANT_A, other, 'caseOpened', `${caseId}_o`), other.parcelId);

    const ofParcel = (p: string) =>
      delivered(path('order')).filter((r) => bodyOf(r).data.parcel.parcelId === p);
    await waitFor(() => ofParcel(slow.parcelId).length >= 3, {
      timeoutMs: 60_000,
      description: 'the ordered parcel',
    });
    expect(ofParcel(slow.parcelId).map((r) => bodyOf(r).type)).toEqual([
      'clearance.case.opened',
      'clearance.case.documents_received',
      'clearance.case.review_started',
    ]);
    expect(firstFailures).toBe(2);
    // Nothing of the parcel went out while its first event was still failing.
    const attempts = receiver
      .on(path('order'))
      .filter((r) => bodyOf(r).data.parcel.parcelId === slow.parcelId);
    expect(attempts.map((r) => [bodyOf(r).type, r.status])).toEqual([
      ['clearance.case.opened', 500],
      ['clearance.case.opened', 500],
      ['clearance.case.opened', 204],
      ['clearance.case.documents_received', 204],
      ['clearance.case.review_started', 204],
    ]);
    // The other parcel did not wait behind it.
    const otherAt = ofParcel(other.parcelId)[0]!.at;
    expect(otherAt).toBeLessThan(ofParcel(slow.parcelId)[0]!.at);
    // The same webhook-id on every attempt of a delivery.
    const firstIds = new Set(attempts.slice(0, 3).map((r) => r.headers['webhook-id']));
    expect(firstIds.size).toBe(1);

    // The delivery log shows the attempts; filters and the cursor work.
    const log1 = await call(
      `/v1/webhooks/subscriptions/${sub.id}/deliveries?parcelId=${slow.parcelId}&limit=2`,
    );
    expect(log1.status).toBe(200);
    expect(log1.json.items).toHaveLength(2);
    expect(log1.json.nextCursor).toBeTruthy();
    const log2 = await call(
      `/v1/webhooks/subscriptions/${sub.id}/deliveries?parcelId=${slow.parcelId}&limit=2&cursor=${log1.json.nextCursor}`,
    );
    const opened = (log2.json.items as any[]).find((d) => d.eventType === 'clearance.case.opened');
    expect(opened).toMatchObject({ status: 'delivered', lastStatusCode: 204 });
    expect((opened.attempts as any[]).map((a) => [a.statusCode, a.errorCode, a.succeeded])).toEqual([
      [500, 'http_status', false],
      [500, 'http_status', false],
      [204, null, true],
    ]);
    const filtered = await call(`/v1/webhooks/subscriptions/${sub.id}/deliveries?status=failed`);
    expect(filtered.json.items).toEqual([]);
    const badQuery = await call(`/v1/webhooks/subscriptions/${sub.id}/deliveries?status=lost`);
    expect(badQuery.json.error.code).toBe('validation_failed');
  }, 90_000);

  it('signs with the old and the new secret during a rotation', async () => {
    const rotated = await call(`/v1/webhooks/subscriptions/${subA.id}/rotate-secret`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.secret as string;
    secretsSeen.push(fresh);
    expect(fresh).not.toBe(subA.secret);
    const ref = parcelRef('it-express', `WH${run}ROT`);
    const before = delivered(path('a')).length;
    await publish(TENANT_A, caseEvent(TENANT_A, ref, 'caseOpened', `case_${run}_rot`), ref.parcelId);
    await waitFor(() => delivered(path('a')).length > before, {
      timeoutMs: 30_000,
      description: 'the rotated delivery',
    });
    const r = delivered(path('a')).at(-1)!;
    expect(r.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(r.body, r.headers)).not.toThrow();
    expect(() => new Webhook(subA.secret).verify(r.body, r.headers)).not.toThrow();
    subA = { ...subA, secret: fresh };
  }, 60_000);

  it('replays one delivery and a time range with the same webhook-id', async () => {
    const first = delivered(path('a'))[0]!;
    const id = first.headers['webhook-id']!;
    const replay = await call(`/v1/webhooks/deliveries/${id}/replay`, { method: 'POST' });
    expect([replay.status, replay.json]).toEqual([202, { queued: 1 }]);
    await waitFor(() => delivered(path('a')).filter((r) => r.headers['webhook-id'] === id).length === 2, {
      timeoutMs: 30_000,
      description: 'the replayed delivery',
    });
    const again = delivered(path('a')).filter((r) => r.headers['webhook-id'] === id)[1]!;
    expect(again.body).toBe(first.body);
    // signed with the current secrets (the new one after the rotation)
    expect(() => new Webhook(subA.secret).verify(again.body, again.headers)).not.toThrow();

    const range = await call(`/v1/webhooks/subscriptions/${subA.id}/replay`, {
      method: 'POST',
      body: {
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 1_000).toISOString(),
      },
    });
    expect(range.status).toBe(202);
    const { rows: ofA } = await pg.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1`,
      [subA.id],
    );
    expect(range.json.queued).toBe(ofA[0].n);
    expect(range.json.queued).toBeGreaterThanOrEqual(6);
    const badRange = await call(`/v1/webhooks/subscriptions/${subA.id}/replay`, {
      method: 'POST',
      body: { from: new Date().toISOString(), to: new Date(Date.now() - 1000).toISOString() },
    });
    expect(badRange.json.error.code).toBe('validation_failed');
    expect(
      (await call(`/v1/webhooks/deliveries/${id}/replay`, { method: 'POST', bearer: keyB })).status,
    ).toBe(404);
    await waitFor(() => delivered(path('a')).filter((r) => r.headers['webhook-id'] === id).length === 3, {
      timeoutMs: 30_000,
      description: 'the range replay',
    });
  }, 90_000);

  it('opens the circuit, then auto-disables a subscription that keeps failing, with a notice; re-enabling resumes it', async () => {
    const down = await subscribe(keyA, 'down', ['clearance.case.opened']);
    receiver.behaviour.set(path('down'), () => 503);
    const refs = [0, 1, 2].map((i) => parcelRef('it-express', `WH${run}DN${i}`));
    for (const ref of refs)
      await publish(
        TENANT_A,
        caseEvent(TENANT_A, ref, 'caseOpened', `c_${ref.trackingNumber}`),
        ref.parcelId,
      );

    const sub = () => call(`/v1/webhooks/subscriptions/${down.id}`).then((r) => r.json);
    await waitFor(async () => (await sub()).circuit.state !== 'closed', {
      timeoutMs: 30_000,
      description: 'the circuit open',
    });
    await waitFor(async () => (await sub()).enabled === false, {
      timeoutMs: 30_000,
      description: 'auto-disabled',
    });
    const disabled = await sub();
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'failing' });
    // An open circuit holds deliveries without using up their retries: fewer attempts than 3 × 5.
    expect(receiver.on(path('down')).length).toBeLessThan(15);
    const notices = await call('/v1/webhooks/notices');
    expect(notices.json.items).toEqual([
      expect.objectContaining({
        subscriptionId: down.id,
        tenantId: TENANT_A,
        kind: 'subscription_auto_disabled',
      }),
    ]);
    expect((await call('/v1/webhooks/notices', { bearer: keyB })).json.items).toEqual([]);
    expect(log.text()).toContain('auto-disabled');

    // The same moment as a Kafka event, keyed by the subscription (no parcel, no URL, no secret).
    const reader = testKafkaClient(brokers).consumer({
      groupId: `${group}-disabled-${randomBytes(3).toString('hex')}`,
    });
    const seen: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topics: [NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC.name], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== down.id) return;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          seen.push({ key: message.key.toString(), value: message.value ?? Buffer.alloc(0), headers });
        },
      });
      await waitFor(() => seen.length > 0, { timeoutMs: 30_000, description: 'WebhookSubscriptionDisabled' });
    } finally {
      await reader.disconnect();
    }
    expect(seen).toHaveLength(1);
    const decoded = fromBinary(WebhookSubscriptionEventSchema, seen[0]!.value).event;
    expect(decoded.case).toBe('webhookSubscriptionDisabled');
    expect(decoded.value).toMatchObject({
      subscriptionId: down.id,
      tenantId: TENANT_A,
      noticeId: (notices.json.items as { id: string }[])[0]!.id,
    });
    expect(decoded.value!.consecutiveFailures).toBeGreaterThan(0);
    expect(seen[0]!.headers['event-type']).toBe('portico.notification.v1.WebhookSubscriptionDisabled');
    expect(seen[0]!.headers['tenant-id']).toBe(TENANT_A);
    expect(seen[0]!.value.toString('latin1')).not.toContain('http');

    // Disabled: new events are not queued for it (subscription A, subscribed to everything, shows
    // the event was consumed); what was pending stays.
    const later = parcelRef('it-express', `WH${run}DNX`);
    await publish(
      TENANT_A,
      caseEvent(TENANT_A, later, 'caseOpened', `c_${later.trackingNumber}`),
      later.parcelId,
    );
    await waitFor(() => delivered(path('a')).some((r) => bodyOf(r).data.parcel.parcelId === later.parcelId), {
      timeoutMs: 30_000,
      description: 'the later event consumed',
    });
    const { rows: pending } = await pg.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1 AND status <> 'delivered'`,
      [down.id],
    );
    receiver.behaviour.set(path('down'), () => 200);
    const enabled = await call(`/v1/webhooks/subscriptions/${down.id}/enable`, { method: 'POST' });
    expect(enabled.json).toMatchObject({ enabled: true, disabledReason: null, circuit: { state: 'closed' } });
    expect(
      (await call(`/v1/webhooks/subscriptions/${down.id}/enable`, { method: 'POST' })).json.error.code,
    ).toBe('subscription_not_disabled');
    // Deliveries that used up their schedule wait for a replay; the others resume on their own.
    await call(`/v1/webhooks/subscriptions/${down.id}/replay`, {
      method: 'POST',
      body: {
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date(Date.now() + 1_000).toISOString(),
      },
    });
    await waitFor(
      () =>
        new Set(delivered(path('down')).map((r) => r.headers['webhook-id'])).size ===
        (pending[0].n as number),
      { timeoutMs: 30_000, description: 'the held deliveries after re-enabling' },
    );
    expect(pending[0].n).toBe(3);
  }, 90_000);

  it('loses nothing when the service stops mid-flight or a worker dies holding claims', async () => {
    const slowSub = await subscribe(keyA, 'slow', ['clearance.case.opened']);
    receiver.behaviour.set(path('slow'), () => 'hang');
    const ref = parcelRef('it-express', `WH${run}RST`);
    await publish(TENANT_A, caseEvent(TENANT_A, ref, 'caseOpened', `case_${run}_rst`), ref.parcelId);
    await waitFor(() => receiver.on(path('slow')).length >= 1, {
      timeoutMs: 30_000,
      description: 'the hanging send',
    });
    const { rows: claimed } = await pg.query(
      `SELECT id, claimed_until FROM webhook_deliveries WHERE subscription_id = $1`,
      [slowSub.id],
    );
    expect(claimed).toHaveLength(1);
    expect(claimed[0].claimed_until).not.toBeNull();

    await service.shutdown('restart in test');
    const { rows: afterStop } = await pg.query(
      `SELECT status, attempts, claimed_until FROM webhook_deliveries WHERE id = $1`,
      [claimed[0].id],
    );
    // The aborted attempt gave its claim back and counts as no attempt.
    expect(afterStop[0]).toMatchObject({ status: 'pending', attempts: 0, claimed_until: null });

    // Now as if a worker had claimed it and died: the delivery is due again only when that lease ends.
    const leaseEnds = Date.now() + 3_000;
    await pg.query(
      `UPDATE webhook_deliveries SET claimed_until = $2, claim_token = 'dead-worker' WHERE id = $1`,
      [claimed[0].id, new Date(leaseEnds)],
    );
    receiver.behaviour.set(path('slow'), () => 200);
    service = await startService();
    await waitFor(() => delivered(path('slow')).length >= 1, {
      timeoutMs: 60_000,
      description: 'after the restart',
    });
    const [got] = delivered(path('slow'));
    expect(got!.headers['webhook-id']).toBe(claimed[0].id);
    expect(got!.at).toBeGreaterThanOrEqual(leaseEnds);
    expect(() => new Webhook(slowSub.secret).verify(got!.body, got!.headers)).not.toThrow();
    // The receiver answers before the worker records the outcome.
    const done = await waitFor(
      async () => {
        const { rows } = await pg.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [
          claimed[0].id,
        ]);
        return rows[0]?.status === 'delivered' && rows[0];
      },
      { timeoutMs: 10_000, description: 'the delivery recorded' },
    );
    expect(done).toEqual({ status: 'delivered', attempts: 1 });
  }, 120_000);

  it('counts deliveries on /metrics with closed labels only', async () => {
    const scrape = () => fetch(`${service.url}/metrics`).then((r) => r.text());
    const text = await waitFor(
      async () => {
        const t = await scrape();
        return /^portico_webhook_deliveries_total\{[^}]*outcome="delivered"/m.test(t) && t;
      },
      { timeoutMs: 10_000, description: 'the delivery counted' },
    );
    expect(text).toMatch(/^portico_webhook_deliveries_total\{[^}]*outcome="delivered"[^}]*\} \d+/m);
    expect(text).toMatch(/^portico_webhook_delivery_duration_seconds_bucket\{[^}]*result="2xx"/m);
    expect(text).toMatch(/^portico_webhook_pending_deliveries(\{[^}]*\})? \d+/m);
    expect(text).toMatch(/^portico_webhook_circuits\{[^}]*state="closed"[^}]*\} \d+/m);
    const metricLines = text.split('\n').filter((l) => l.startsWith('portico_webhook'));
    for (const l of metricLines) {
      expect(l).not.toContain(TENANT_A);
      expect(l).not.toContain('127.0.0.1');
      expect(l).not.toContain('whsub_');
    }
  });

  it('never puts secrets, subscriber URLs or the name digest into logs or span attributes', () => {
    const logs = log.text();
    const attributes = JSON.stringify(spans.getFinishedSpans().map((s) => s.attributes));
    expect(logs).toContain('webhook subscription created');
    for (const s of secretsSeen) {
      expect(logs).not.toContain(s);
      expect(logs).not.toContain(s.slice(6));
      expect(attributes).not.toContain(s.slice(6));
    }
    expect(logs).not.toContain(receiver.url);
    expect(attributes).not.toContain(receiver.url);
    expect(attributes).not.toContain(`/${run}/`);
    for (const text of [logs, attributes]) {
      expect(text).not.toContain(NAME_DIGEST.toString('base64'));
      expect(text).not.toContain(NAME_DIGEST.toString('hex'));
    }
  });
});
