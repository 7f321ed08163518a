// The native trace path of deploy/local: the services' real OTLP/HTTP exporter (startTracing from
// libs/observability) -> otlp-zipkin-bridge.cjs -> Zipkin v2 spans, with the parcel id searchable.
// Default: the bridge in this process and a fake Zipkin that records what it is sent (no Java).
// PORTICO_LIVE_TRACING=1: against the running `deploy/local/observability.sh start tracing`
// (bridge on 127.0.0.1:4318, Zipkin on 127.0.0.1:9411), found again through Zipkin's search API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from './lib/metrics.mjs';

const require = createRequire(import.meta.url);
const { toZipkin, createBridgeServer } = require('../local/tracing/otlp-zipkin-bridge.cjs');
const TRACING_DIST = join(ROOT, 'libs/observability/dist/tracing.js');

/** Runs the project's own tracing bootstrap in a child process and emits one parcel's spans. */
function emitSpans(endpoint, parcel) {
  const script = `
    const { startTracing } = require(${JSON.stringify(TRACING_DIST)});
    const handle = startTracing({ serviceName: 'trace-probe', otlpEndpoint: process.argv[1] });
    const { trace, SpanKind, SpanStatusCode } = require('@opentelemetry/api');
    const tracer = trace.getTracer('deploy-tests');
    tracer.startActiveSpan('POST /webhooks/:carrier', { kind: SpanKind.SERVER, attributes: { 'portico.parcel_id': process.argv[2] } }, (root) => {
      const send = tracer.startSpan('send carrier.tracking.v1', { kind: SpanKind.PRODUCER, attributes: { 'messaging.kafka.message.key': process.argv[2] } });
      send.setStatus({ code: SpanStatusCode.ERROR, message: 'broker unavailable' });
      send.end();
      root.end();
      process.stdout.write(root.spanContext().traceId);
    });
    handle.shutdown();
  `;
  // Asynchronous: the bridge under test may live in this very process.
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, endpoint, parcel], { cwd: ROOT, timeout: 30_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`span emitter exited ${code}: ${err}`)),
    );
  });
}

test('OTLP JSON spans become Zipkin v2 spans', () => {
  const [span] = toZipkin({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'clearance' } }] },
        scopeSpans: [
          {
            scope: { name: 'kafkajs' },
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                parentSpanId: '',
                name: 'process carrier.tracking.v1',
                kind: 5,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000002500000',
                attributes: [
                  { key: 'portico.parcel_id', value: { stringValue: 'prc_00' } },
                  { key: 'messaging.kafka.offset', value: { intValue: '7' } },
                ],
                status: { code: 2, message: 'boom' },
                events: [{ timeUnixNano: '1700000000001000000', name: 'exception', attributes: [] }],
              },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(span, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    id: 'b7ad6b7169203331',
    name: 'process carrier.tracking.v1',
    kind: 'CONSUMER',
    timestamp: 1700000000000000,
    duration: 2500,
    localEndpoint: { serviceName: 'clearance' },
    tags: {
      'portico.parcel_id': 'prc_00',
      'messaging.kafka.offset': '7',
      'otel.scope.name': 'kafkajs',
      'otel.status_code': 'ERROR',
      error: 'boom',
    },
    annotations: [{ timestamp: 1700000000001000, value: 'exception' }],
  });
});

test(
  "the services' exporter -> bridge -> Zipkin, parcel id kept as tags",
  { skip: !existsSync(TRACING_DIST) && 'libs/observability not built' },
  async () => {
    const received = [];
    const zipkin = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, spans: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(202).end();
      });
    });
    await new Promise((r) => zipkin.listen(0, '127.0.0.1', r));
    const bridge = createBridgeServer(`http://127.0.0.1:${zipkin.address().port}`);
    await new Promise((r) => bridge.listen(0, '127.0.0.1', r));
    try {
      const parcel = `prc_${randomBytes(16).toString('hex')}`;
      // The child exits once its spans are flushed: by then the bridge has answered it.
      const traceId = await emitSpans(`http://127.0.0.1:${bridge.address().port}`, parcel);
      const spans = received.flatMap((r) => r.spans);
      assert.ok(received.every((r) => r.url === '/api/v2/spans'));
      assert.equal(spans.length, 2);
      assert.ok(spans.every((s) => s.traceId === traceId && s.localEndpoint.serviceName === 'trace-probe'));
      const server = spans.find((s) => s.kind === 'SERVER');
      const producer = spans.find((s) => s.kind === 'PRODUCER');
      assert.equal(server.tags['portico.parcel_id'], parcel);
      assert.equal(producer.tags['messaging.kafka.message.key'], parcel);
      assert.equal(producer.parentId, server.id);
      assert.equal(producer.tags.error, 'broker unavailable');
    } finally {
      bridge.close();
      zipkin.close();
    }
  },
);

test(
  'live: a span sent to 127.0.0.1:4318 is found in Zipkin by portico.parcel_id (PORTICO_LIVE_TRACING=1)',
  {
    skip:
      process.env.PORTICO_LIVE_TRACING !== '1' &&
      'set PORTICO_LIVE_TRACING=1 with deploy/local/observability.sh start tracing running',
  },
  async () => {
    const parcel = `prc_${randomBytes(16).toString('hex')}`;
    const traceId = await emitSpans('http://127.0.0.1:4318', parcel);
    let found;
    for (let i = 0; i < 20 && !found; i++) {
      const res = spawnSync(process.execPath, ['deploy/local/tracing/find-parcel-trace.cjs', parcel], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (res.status === 0) found = JSON.parse(res.stdout);
      else await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(found, `trace of ${parcel} not found in Zipkin`);
    assert.deepEqual(
      found.traces.map((t) => t.traceId),
      [traceId],
    );
    assert.equal(found.traces[0].spans, 2);
  },
);
