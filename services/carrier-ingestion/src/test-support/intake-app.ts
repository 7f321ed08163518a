/**
 * carrier-ingestion as a real Nest app for integration tests: a fresh Postgres database (behind a TCP
 * proxy the test can cut), the real Kafka broker, migrations run, HTTP on an ephemeral port, logs
 * captured in memory so tests can scan them for personal data. Used by the *.int-spec.ts files.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signDevToken } from '@portico/auth';
import { CARRIER_TRACKING_TOPIC } from '@portico/contracts';
import { createLogger } from '@portico/observability';
import { createServiceApp, runMigrations } from '@portico/service-kit';
import {
  createTestDatabase,
  getTestKafka,
  headersAsStrings,
  startTcpProxy,
  type TestDatabase,
} from '@portico/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { migrations } from '../../migrations';
import { AppModule } from '../app.module';
import { loadServiceConfig, type CarrierIngestionConfig } from '../config';
import { APP_OPTIONS } from '../server';

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

export interface KafkaRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads carrier.tracking.v1 from the offsets it had when created: only records produced since. */
export async function trackingReader(brokers: string[], runId: string) {
  const kafka = new Kafka({ clientId: `ci-int-reader-${runId}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const start = await admin.fetchTopicOffsets(CARRIER_TRACKING_TOPIC.name);
  await admin.disconnect();
  const consumer: Consumer = kafka.consumer({ groupId: `ci-int-reader-${runId}` });
  const records: KafkaRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [CARRIER_TRACKING_TOPIC.name], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      records.push({
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: headersAsStrings(message.headers),
      });
    },
  });
  for (const p of start)
    consumer.seek({ topic: CARRIER_TRACKING_TOPIC.name, partition: p.partition, offset: p.offset });
  return {
    all: () => records,
    keyed: (key: string) => records.filter((r) => r.key === key),
    close: () => consumer.disconnect(),
  };
}

export function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { stream, text: () => lines.join('') };
}

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let body: Json;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined; // not JSON (a test may be checking exactly that)
  }
  return { status: res.status, headers: res.headers, text, body };
}

export type IntakeApp = Awaited<ReturnType<typeof startIntakeApp>>;

/** Boots the service; `close()` stops it and drops its database. */
export async function startIntakeApp(runId: string) {
  const devTokenKey = randomBytes(32).toString('base64url');
  // the console's service token (the tracking-history API) and another service's, which it must refuse
  const serviceTokens = {
    console: randomBytes(24).toString('base64url'),
    clearance: randomBytes(24).toString('base64url'),
  };
  const digestKey = { id: 'k1', secret: randomBytes(32).toString('base64url') };
  const log = memoryLog();
  const { brokers } = await getTestKafka();
  const db: TestDatabase = await createTestDatabase('carrier_ingestion');
  const target = new URL(db.url);
  const proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
  const proxied = new URL(db.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const config: CarrierIngestionConfig = loadServiceConfig({
    DATABASE_URL: proxied.toString(),
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: `carrier-ingestion-int-${runId}`,
    AUTH_DEV_TOKEN_KEY: devTokenKey,
    AUTH_SERVICE_TOKENS: `console=${serviceTokens.console},clearance=${serviceTokens.clearance}`,
    RECIPIENT_DIGEST_KEYS: `${digestKey.id}=${digestKey.secret}`,
    CARRIER_SECRETS_KEY: randomBytes(32).toString('base64'),
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  await runMigrations(config, migrations);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const { app } = (await createServiceApp({
    module: AppModule.forRoot(config),
    config,
    // debug: the intake's line for accepted and duplicate deliveries is debug, and specs read it
    logger: createLogger({ serviceName: config.serviceName, destination: log.stream, level: 'debug' }),
    ...APP_OPTIONS,
  })) as { app: NestFastifyApplication };
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const reader = await trackingReader(brokers, runId);

  const token = (roles: string[]) =>
    signDevToken(
      { subject: `operator-${runId}`, roles },
      { key: devTokenKey, issuer: config.authIssuer, audience: config.authAudience },
    );

  /** An operator API call; `roles: null` sends no token. */
  async function api(
    method: string,
    path: string,
    options: { body?: unknown; roles?: string[] | null } = {},
  ) {
    const roles = options.roles === undefined ? ['operator'] : options.roles;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(roles ? { authorization: `Bearer ${await token(roles)}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    return answer(res);
  }

  /** A carrier's delivery to `POST /webhooks/:accountId`, exactly as signed. */
  async function post(accountId: string, signed: { body: string | Buffer; headers: Record<string, string> }) {
    const res = await fetch(`${baseUrl}/webhooks/${accountId}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    return answer(res);
  }

  async function createAccount(body: {
    tenantId: string;
    provider: string;
    carrierCode?: string;
    displayName: string;
  }) {
    const res = await api('POST', '/v1/carrier-accounts', { body });
    if (res.status !== 201) throw new Error(`account creation answered ${res.status}: ${res.text}`);
    return { id: res.body.id as string, secret: res.body.secret as string, view: res.body as Json };
  }

  /** Rows in the tables a webhook writes to: a refused webhook must leave all of them as they were. */
  async function counts() {
    const { rows } = await pg.query(
      `SELECT (SELECT count(*)::int FROM webhook_receipts) AS receipts,
              (SELECT count(*)::int FROM webhook_dedupe) AS dedupe,
              (SELECT count(*)::int FROM outbox) AS outbox,
              (SELECT count(*)::int FROM tracking_events) AS history`,
    );
    return rows[0] as { receipts: number; dedupe: number; outbox: number; history: number };
  }

  async function close() {
    proxy.restore();
    await reader.close().catch(() => undefined);
    await app.close().catch(() => undefined);
    await pg.end().catch(() => undefined);
    await proxy.close();
    await db.drop();
  }

  return {
    app,
    baseUrl,
    config,
    digestKey,
    serviceTokens,
    pg,
    proxy,
    reader,
    log,
    api,
    post,
    createAccount,
    counts,
    close,
  };
}
