// OTLP/HTTP (JSON) -> Zipkin v2 bridge for the native trace backend of deploy/local.
//
// The services export spans with @opentelemetry/exporter-trace-otlp-http, which POSTs OTLP as JSON
// to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces. Zipkin's server (deploy/local/tracing/pom.xml) reads
// Zipkin v2 JSON, and its optional OTLP module only reads protobuf: this process listens where an
// OpenTelemetry Collector would (127.0.0.1:4318), translates each batch and posts it to Zipkin's
// /api/v2/spans. Node core only, so it runs before `npm ci` too. Not for production: there, run the
// OpenTelemetry Collector (deploy/compose, deploy/k8s).
//
// Environment: OTLP_BRIDGE_HOST (127.0.0.1), OTLP_BRIDGE_PORT (4318), ZIPKIN_URL (http://127.0.0.1:9411).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by node as is */
'use strict';
const http = require('node:http');
const zlib = require('node:zlib');

const HOST = process.env.OTLP_BRIDGE_HOST || '127.0.0.1';
const PORT = Number(process.env.OTLP_BRIDGE_PORT || 4318);
const ZIPKIN = (process.env.ZIPKIN_URL || 'http://127.0.0.1:9411').replace(/\/+$/, '');
const MAX_BODY = 16 * 1024 * 1024;

const KINDS = { 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };
const KIND_NAMES = { SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 };

/** OTLP JSON encodes 64-bit integers as strings or numbers; older encoders as { low, high }. */
function nanos(v) {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'object' && 'low' in v) return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return BigInt(v);
}

function hexId(v, bytes) {
  if (!v) return undefined;
  // OTLP/JSON says hex; protobufjs-style encoders may still send base64.
  const hex =
    /^[0-9a-fA-F]+$/.test(v) && v.length === bytes * 2
      ? v.toLowerCase()
      : Buffer.from(v, 'base64').toString('hex');
  return /^0+$/.test(hex) ? undefined : hex;
}

function anyValue(v) {
  if (!v || typeof v !== 'object') return '';
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return String(v.boolValue);
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('bytesValue' in v) return String(v.bytesValue);
  if ('arrayValue' in v) return JSON.stringify((v.arrayValue.values || []).map(anyValue));
  if ('kvlistValue' in v)
    return JSON.stringify(
      Object.fromEntries((v.kvlistValue.values || []).map((kv) => [kv.key, anyValue(kv.value)])),
    );
  return '';
}

function attributes(list) {
  const out = {};
  for (const kv of list || []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** Zipkin v2 spans from one OTLP ExportTraceServiceRequest (JSON). */
function toZipkin(request) {
  const spans = [];
  for (const rs of request.resourceSpans || []) {
    const resource = attributes(rs.resource && rs.resource.attributes);
    const serviceName = resource['service.name'] || 'unknown_service';
    delete resource['service.name'];
    for (const ss of rs.scopeSpans || rs.instrumentationLibrarySpans || []) {
      const scope = ss.scope || ss.instrumentationLibrary || {};
      for (const s of ss.spans || []) {
        const start = nanos(s.startTimeUnixNano);
        const end = nanos(s.endTimeUnixNano);
        const traceId = hexId(s.traceId, 16);
        const id = hexId(s.spanId, 8);
        if (!traceId || !id) continue;
        const tags = { ...resource, ...attributes(s.attributes) };
        if (scope.name) tags['otel.scope.name'] = scope.name;
        if (scope.version) tags['otel.scope.version'] = scope.version;
        const code =
          s.status && (s.status.code === 2 || s.status.code === 'STATUS_CODE_ERROR')
            ? 'ERROR'
            : s.status && (s.status.code === 1 || s.status.code === 'STATUS_CODE_OK')
              ? 'OK'
              : undefined;
        if (code) tags['otel.status_code'] = code;
        if (code === 'ERROR') tags.error = (s.status && s.status.message) || 'true';
        const kindNumber = typeof s.kind === 'string' ? KIND_NAMES[s.kind] : s.kind;
        const span = {
          traceId,
          id,
          parentId: hexId(s.parentSpanId, 8),
          name: s.name,
          kind: KINDS[kindNumber],
          timestamp: Number(start / 1000n),
          duration: Math.max(1, Number((end - start) / 1000n)),
          localEndpoint: { serviceName },
          tags,
          annotations: (s.events || []).map((e) => {
            const a = attributes(e.attributes);
            const detail = Object.keys(a).length ? ` ${JSON.stringify(a)}` : '';
            return { timestamp: Number(nanos(e.timeUnixNano) / 1000n), value: `${e.name}${detail}` };
          }),
        };
        if (!span.parentId) delete span.parentId;
        if (!span.kind) delete span.kind;
        if (span.annotations.length === 0) delete span.annotations;
        spans.push(span);
      }
    }
  }
  return spans;
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function postToZipkin(zipkin, spans) {
  const res = await fetch(`${zipkin}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spans),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`zipkin answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

/** The bridge's HTTP server (not listening yet). */
function createBridgeServer(zipkin = ZIPKIN) {
  return http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/health' || req.url === '/'))
      return reply(res, 200, { status: 'up', zipkin });
    if (req.method !== 'POST' || req.url.split('?')[0] !== '/v1/traces')
      return reply(res, 404, { message: 'POST /v1/traces only' });
    const type = String(req.headers['content-type'] || '');
    if (!type.startsWith('application/json')) {
      return reply(res, 415, {
        message:
          'this bridge reads OTLP/HTTP JSON only (the Portico services send JSON); use the OpenTelemetry Collector for protobuf',
      });
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', async () => {
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const spans = toZipkin(JSON.parse(body.toString('utf8')));
        if (spans.length) await postToZipkin(zipkin, spans);
        reply(res, 200, {});
      } catch (error) {
        // 503 tells the exporter to retry later (OTLP/HTTP); a malformed body is a 400.
        const status = error instanceof SyntaxError ? 400 : 503;
        process.stderr.write(`[otlp-zipkin-bridge] ${status}: ${error.message}\n`);
        reply(res, status, { message: error.message });
      }
    });
  });
}

if (require.main === module) {
  const server = createBridgeServer();
  server.listen(PORT, HOST, () =>
    process.stderr.write(
      `[otlp-zipkin-bridge] OTLP/HTTP JSON on http://${HOST}:${PORT}/v1/traces -> ${ZIPKIN}/api/v2/spans\n`,
    ),
  );
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { toZipkin, createBridgeServer };
