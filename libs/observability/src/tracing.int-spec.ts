/**
 * Proves that tracing really instruments a process started the way main.ts starts one: a child
 * process loads http, pg and kafkajs after startTracing, and the OTLP/HTTP exporter delivers one trace
 * with the HTTP client and server spans, the pg query and the Kafka send to a receiver in this test.
 * Needs `nx build observability` (the child loads the built package, as a service does).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

const ROOT = join(__dirname, '..', '..', '..');
const CHILD = join(__dirname, '..', 'test-fixtures', 'traced-child.cjs');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = connect(Number(port), host);
    s.setTimeout(500, () => (s.destroy(), resolve(false)));
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

function runChild(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // --no-warnings: kafkajs 2.2.4 trips Node 24's TimeoutNegativeWarning (tulios/kafkajs#1751), harmless.
    // the child produces to Kafka only when told to here, not because this runner has KAFKA_BROKERS set
    const { KAFKA_BROKERS: _brokers, KAFKA_TOPIC: _topic, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--no-warnings', CHILD], {
      cwd: ROOT,
      env: { ...inherited, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('tracing in a real process', () => {
  let receiver: Server;
  let endpoint: string;
  const spans: OtlpSpan[] = [];
  const services = new Set<string>();

  beforeAll(async () => {
    if (!existsSync(join(__dirname, '..', 'dist', 'tracing.js')))
      throw new Error('build first: nx build observability');
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const payload = JSON.parse(body);
        for (const rs of payload.resourceSpans ?? []) {
          for (const a of rs.resource?.attributes ?? [])
            if (a.key === 'service.name') services.add(a.value.stringValue);
          for (const ss of rs.scopeSpans ?? []) spans.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  it('exports one trace spanning HTTP client and server, pg and kafkajs', async () => {
    const kafka = await reachable(BROKERS.split(',')[0]);
    const { code, stderr } = await runChild({
      OTLP_ENDPOINT: endpoint,
      DATABASE_URL,
      ...(kafka ? { KAFKA_BROKERS: BROKERS, KAFKA_TOPIC: `observability-int-${Date.now()}` } : {}),
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect([...services]).toEqual(['traced-child']);

    const client = spans.find((s) => s.kind === 3 && s.name === 'GET');
    expect(client).toBeDefined();
    const trace = spans.filter((s) => s.traceId === client!.traceId);
    const server = trace.find((s) => s.kind === 2);
    expect(server?.parentSpanId).toBe(client!.spanId);
    const pg = trace.find((s) => s.name.startsWith('pg.query'));
    expect(pg?.parentSpanId).toBe(server!.spanId);
    if (kafka) expect(trace.find((s) => s.kind === 4)?.parentSpanId).toBe(server!.spanId); // PRODUCER
  });

  it('warns when an instrumented module was loaded before tracing started', async () => {
    const { code, stderr } = await runChild({ OTLP_ENDPOINT: endpoint, DATABASE_URL, PRELOAD_PG: '1' });
    expect(code).toBe(0);
    expect(stderr).toContain('tracing started after instrumented modules were loaded');
    expect(stderr).toContain('/node_modules/pg/');
  });
});
