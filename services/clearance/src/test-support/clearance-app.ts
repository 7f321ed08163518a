/**
 * clearance as a real service for integration tests: a fresh Postgres database with the service's
 * migrations, the shared Kafka broker, bootstrapService exactly as in production (its own consumer
 * group, started at the end of carrier.tracking.v1 so other suites' history is skipped), HTTP on an
 * ephemeral port, logs and spans captured in memory so tests can scan them for personal data or
 * tokens. Tracking events are published the way carrier-ingestion publishes them. Used by the
 * *.int-spec.ts files; never loaded by the application.
 */
import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SERVICE_NAME_HEADER, signDevToken } from '@portico/auth';
import {
  CARRIER_TRACKING_TOPIC,
  common,
  dlqTopicName,
  retryTopicName,
  TrackingStreamEventSchema,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { createLogger } from '@portico/observability';
import { startTracing } from '@portico/observability/tracing';
import { bootstrapService, runMigrations, type RunningService } from '@portico/service-kit';
import {
  createTestDatabase,
  deleteTopics,
  getTestKafka,
  testKafkaClient,
  waitFor,
  type TestDatabase,
} from '@portico/testing';
import { logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { migrations } from '../../migrations';
import { AppModule } from '../app.module';
import { loadServiceConfig, settings, type ClearanceConfig } from '../config';
import {
  customsHold,
  fakeProcess,
  memoryLog,
  startGroupAtEnd,
  trackingEvent,
  type TrackingInit,
} from './clearance-it';

const HOUR = 3_600_000;

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

export { customsHold, trackingEvent, type TrackingInit } from './clearance-it';

export type ClearanceApp = Awaited<ReturnType<typeof startClearanceApp>>;

/** Boots the service for `runId` (unique per test file run); `close()` stops it and drops its database. */
export async function startClearanceApp(runId: string) {
  const spans = new InMemorySpanExporter();
  startTracing({ serviceName: 'clearance', spanProcessors: [new SimpleSpanProcessor(spans)] });
  const log = memoryLog();
  const group = `clearance-it-${runId}`;
  const devTokenKey = randomBytes(32).toString('base64url');
  const notificationToken = randomBytes(32).toString('base64url');
  const { brokers } = await getTestKafka();
  const db: TestDatabase = await createTestDatabase('clearance');
  const loaded = loadServiceConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: group,
    KAFKA_CONSUMER_GROUP: group,
    LOG_LEVEL: 'debug',
    SHUTDOWN_TIMEOUT_MS: '8000',
    AUTH_DEV_TOKEN_KEY: devTokenKey,
    AUTH_SERVICE_TOKENS: `notification=${notificationToken}`,
  });
  // Any free port (HTTP_PORT itself must be a real one).
  const config: ClearanceConfig = { ...loaded, httpPort: 0 };
  const logger = createLogger({ serviceName: config.serviceName, level: 'debug', destination: log.stream });
  await runMigrations(config, migrations, logger);

  await startGroupAtEnd(brokers, group);

  const service: RunningService = await bootstrapService({
    module: AppModule.forRoot(config),
    config,
    settings,
    logger,
    process: fakeProcess(),
  });
  const producer: Producer = createIdempotentProducer(
    createKafka({ brokers, clientId: `${group}-test-producer`, logLevel: logLevel.NOTHING }),
  );
  await producer.connect();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();

  /** Publishes one tracking event as carrier-ingestion would (keyed by parcel id). */
  async function publish(message: ReturnType<typeof trackingEvent>, ref: common.ParcelRef, tenantId: string) {
    const record = encodeEvent({
      schema: TrackingStreamEventSchema,
      message,
      key: ref.parcelId,
      tenantId,
    });
    await producer.send({
      topic: CARRIER_TRACKING_TOPIC.name,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } }],
    });
    return record;
  }

  /** Whether the service's consumer has committed the handling of `eventId` (its inbox row). */
  async function processed(eventId: string): Promise<boolean> {
    const { rows } = await pg.query(`SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2`, [
      group,
      eventId,
    ]);
    return rows.length > 0;
  }

  /** Publishes a hold and waits until it has been handled; the id of the case it opened, if any. */
  async function openCase(
    ref: common.ParcelRef,
    tenantId: string,
    init: TrackingInit = {},
    at = new Date(Date.now() - HOUR),
  ) {
    const record = await publish(customsHold(ref, tenantId, at, init), ref, tenantId);
    await waitFor(() => processed(record.eventId), { timeoutMs: 30_000, description: 'the hold handled' });
    const { rows } = await pg.query<{ id: string }>(
      `SELECT id FROM clearance_cases WHERE tenant_id = $1 AND parcel_id = $2 ORDER BY opened_at DESC LIMIT 1`,
      [tenantId, ref.parcelId],
    );
    return rows[0]?.id;
  }

  const personToken = (roles: string[], tenantId?: string | null) =>
    signDevToken(
      { subject: `it-${roles.join('-')}-${tenantId ?? 'platform'}`, roles, tenantId, propertyIds: [] },
      { key: devTokenKey, issuer: config.authIssuer, audience: config.authAudience },
    );

  /** `Authorization` for a person with `roles` (operators: no tenant). */
  async function asPerson(roles: string[], tenantId?: string | null): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await personToken(roles, tenantId)}` };
  }

  const asNotification = (): Record<string, string> => ({
    authorization: `Bearer ${notificationToken}`,
    [SERVICE_NAME_HEADER]: 'notification',
  });

  async function request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<HttpAnswer> {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined; // not JSON (a test may be checking exactly that)
    }
    return { status: res.status, headers: res.headers, text, body };
  }

  async function close() {
    await producer.disconnect().catch(() => undefined);
    await pg.end().catch(() => undefined);
    // also shuts tracing down (bootstrapService's afterClose)
    await service.shutdown('test finished').catch(() => undefined);
    await db.drop().catch(() => undefined);
    // The group's own retry/DLQ topics and offsets; the shared stream topics stay.
    await deleteTopics(brokers, [
      retryTopicName(CARRIER_TRACKING_TOPIC, group),
      dlqTopicName(CARRIER_TRACKING_TOPIC, group),
    ]).catch(() => undefined);
    const cleanup = testKafkaClient(brokers).admin();
    await cleanup.connect();
    await cleanup.deleteGroups([group, `${group}.retry`]).catch(() => undefined);
    await cleanup.disconnect();
  }

  return {
    url: service.url,
    config,
    pg,
    spans,
    log,
    metrics: async () => (await fetch(`${service.url}/metrics`)).text(),
    publish,
    processed,
    openCase,
    asPerson,
    asNotification,
    request,
    close,
  };
}
