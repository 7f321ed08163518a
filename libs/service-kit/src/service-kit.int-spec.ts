/**
 * Boots a tiny service the way bootstrapService boots every Portico service, against real Postgres
 * (DATABASE_URL's server, or 127.0.0.1:5432), and checks health, the error shape of Fastify's own
 * errors, and graceful shutdown. The database goes through a TCP proxy in the test so that it can be
 * "taken down" for this app alone.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  Post,
  Req,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { CommonConfig } from '@portico/config';
import { createLogger } from '@portico/observability';
import { startTcpProxy, type TcpProxy } from '@portico/testing';
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { z } from 'zod';
import { bootstrapService, type RunningService } from './bootstrap';
import { DatabaseModule, runMigrations } from './database';
import { DomainError } from './domain-error';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'portico_service_kit_int';
const PII_ID = '11010519491231002X';

class Widgets1795392000001 implements MigrationInterface {
  name = 'Widgets1795392000001';
  async up(q: QueryRunner) {
    await q.query('CREATE TABLE widgets (id serial PRIMARY KEY, label text NOT NULL)');
  }
  async down(q: QueryRunner) {
    await q.query('DROP TABLE widgets');
  }
}

const events: string[] = [];

@Controller('t')
class TestController {
  constructor(private readonly db: DataSource) {}

  @Post('echo')
  echo(@Body() body: unknown, @Req() req: { rawBody?: Buffer }) {
    return { body, rawBytes: req.rawBody?.length ?? null };
  }

  @Post('validate')
  validate(@Body() body: unknown) {
    return z.object({ waybill: z.string().min(5) }).parse(body);
  }

  @Get('closed')
  closed() {
    throw new DomainError({
      code: 'case_closed',
      status: 409,
      message: { en: 'Closed.', zh: '已关闭。' },
      details: { caseId: 'c-1' },
    });
  }

  @Get('boom')
  boom() {
    throw new Error(`constraint violated for ${PII_ID}`);
  }

  @Get('slow')
  async slow() {
    await new Promise((r) => setTimeout(r, 500));
    const [{ n }] = await this.db.query('SELECT count(*)::int AS n FROM widgets');
    events.push('slow request finished');
    return { n };
  }
}

/** Stands in for a Kafka consumer: stops in onApplicationShutdown and still needs the database then. */
@Injectable()
class FakeConsumer implements OnApplicationShutdown {
  constructor(private readonly db: DataSource) {}
  async onApplicationShutdown() {
    events.push('consumer stopping');
    await this.db.query('INSERT INTO widgets (label) VALUES ($1)', ['committed during shutdown']);
    events.push('consumer committed');
  }
}

@Module({ controllers: [TestController], providers: [FakeConsumer] })
class FeatureModule {}

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({ write: (c, _e, done) => (lines.push(c.toString()), done()) });
  return { stream, text: () => lines.join('') };
}

function configFor(databaseUrl: string, overrides: Partial<CommonConfig> = {}): CommonConfig {
  return {
    serviceName: 'service-kit-int',
    httpPort: 0,
    httpHost: '127.0.0.1',
    databaseUrl,
    databasePreparedStatements: true,
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    kafkaClientId: 'service-kit-int',
    kafkaConsumerGroup: 'service-kit-int',
    kafkaFetchMinBytes: 1,
    kafkaFetchMaxWaitMs: 1_000,
    otlpEndpoint: undefined,
    logLevel: 'info',
    shutdownTimeoutMs: 5_000,
    internalToken: 'x'.repeat(32),
    ...overrides,
  };
}

function fakeProcess() {
  const exits: number[] = [];
  return {
    exits,
    on: () => undefined,
    removeListener: () => undefined,
    exit: (c: number) => void exits.push(c),
  };
}

async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const [host, port] = brokers[0].split(':');
  return new Promise((resolve) => {
    const s = connect(Number(port), host);
    s.setTimeout(500, () => (s.destroy(), resolve(false)));
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

describe('service-kit against real Postgres', () => {
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${DB_NAME}`;
  let proxy: TcpProxy;
  let service: RunningService;
  let proc: ReturnType<typeof fakeProcess>;
  const log = memoryLog();

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();

    proxy = await startTcpProxy(Number(dbUrl.port || 5432), dbUrl.hostname);
    const proxied = new URL(dbUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);

    const config = configFor(proxied.toString());
    expect(await runMigrations(config, [Widgets1795392000001])).toEqual(['Widgets1795392000001']);
    expect(await runMigrations(config, [Widgets1795392000001])).toEqual([]);

    proc = fakeProcess();
    service = await bootstrapService({
      module: { module: FeatureModule, imports: [DatabaseModule.forRoot(config, [Widgets1795392000001])] },
      config,
      logger: createLogger({ serviceName: 'service-kit-int', destination: log.stream }),
      process: proc,
    });
  });

  afterAll(async () => {
    await service?.app.close().catch(() => undefined);
    await proxy?.close();
  });

  it('is live, and ready exactly when the database and the broker answer', async () => {
    const live = await fetch(`${service.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${service.url}/health/ready`);
    const report = await json(ready);
    expect(report.checks.database.status).toBe('up');
    const kafkaUp = await kafkaAnswers(configFor('').kafkaBrokers);
    expect(report.checks.kafka.status).toBe(kafkaUp ? 'up' : 'down');
    expect(ready.status).toBe(kafkaUp ? 200 : 503);
  });

  it('reports the database down (503, with the reason) while it is unreachable, and recovers', async () => {
    proxy.cut();
    const down = await fetch(`${service.url}/health/ready`);
    expect(down.status).toBe(503);
    const report = await json(down);
    expect(report.status).toBe('not_ready');
    expect(report.checks.database).toMatchObject({ status: 'down', error: expect.any(String) });
    proxy.restore();
    let database = 'down';
    for (let i = 0; i < 20 && database !== 'up'; i++) {
      database = (await json(await fetch(`${service.url}/health/ready`))).checks.database.status;
      if (database !== 'up') await new Promise((r) => setTimeout(r, 100));
    }
    expect(database).toBe('up');
  });

  it('serves Prometheus metrics with the service label and request durations by route template', async () => {
    await fetch(`${service.url}/t/closed`);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toContain('process_resident_memory_bytes{service="service-kit-int"}');
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*route="\/t\/closed"[^}]*status_code="409"/,
    );
  });

  it('keeps the raw body for signature checks', async () => {
    const raw = '{"a": 1,  "b": "x"}';
    const res = await fetch(`${service.url}/t/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    expect(await json(res)).toEqual({ body: { a: 1, b: 'x' }, rawBytes: Buffer.byteLength(raw) });
  });

  it.each([
    [
      'a body over 1 MB',
      { 'content-type': 'application/json' },
      JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
      413,
      'payload_too_large',
    ],
    [
      'an unsupported content type',
      { 'content-type': 'application/xml' },
      '<a/>',
      415,
      'unsupported_media_type',
    ],
    ['malformed JSON', { 'content-type': 'application/json' }, '{"a": ', 400, 'invalid_json'],
    ['an empty JSON body', { 'content-type': 'application/json' }, '', 400, 'empty_json_body'],
  ])('answers %s in the standard error shape', async (_label, headers, body, status, code) => {
    const res = await fetch(`${service.url}/t/echo`, { method: 'POST', headers, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    const answer = await json(res);
    expect(answer).toEqual({
      error: expect.objectContaining({ code, message: { en: expect.any(String), zh: expect.any(String) } }),
    });
  });

  it('maps domain, validation, unknown-route and unexpected errors', async () => {
    const closed = await fetch(`${service.url}/t/closed`);
    expect(closed.status).toBe(409);
    expect(await json(closed)).toEqual({
      error: { code: 'case_closed', message: { en: 'Closed.', zh: '已关闭。' }, details: { caseId: 'c-1' } },
    });

    const invalid = await fetch(`${service.url}/t/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ waybill: 'x' }),
    });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ path: 'waybill' }] },
    });

    const missing = await fetch(`${service.url}/nothing/here`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('not_found');

    const boom = await fetch(`${service.url}/t/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(JSON.parse(text).error.code).toBe('internal_error');
    expect(text).not.toContain('constraint');
    expect(text).not.toContain(PII_ID);
    // Logged for operators, with the personal data masked.
    expect(log.text()).toContain('constraint violated for [id-number]');
    expect(log.text()).not.toContain(PII_ID);
  });

  it('shuts down gracefully: in-flight request finishes, new connections are refused, consumers commit, exit 0', async () => {
    events.length = 0;
    const inFlight = fetch(`${service.url}/t/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await new Promise((r) => setTimeout(r, 100));
    const shutdown = service.shutdown('test');
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${service.url}/health/live`, { headers: { connection: 'close' } })).rejects.toThrow();

    expect(await inFlight).toEqual({ status: 200, body: { n: 0 } });
    await expect(shutdown).resolves.toBe(0);
    expect(proc.exits).toEqual([0]);
    expect(events).toEqual(['slow request finished', 'consumer stopping', 'consumer committed']);

    const check = new Client({ connectionString: dbUrl.toString() });
    await check.connect();
    const { rows } = await check.query('SELECT label FROM widgets');
    await check.end();
    expect(rows).toEqual([{ label: 'committed during shutdown' }]);
    expect(log.text()).toContain('"msg":"stopped"');
  });
});
