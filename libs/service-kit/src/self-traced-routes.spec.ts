import { setImmediate as tick } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { isSelfTraced } from '@portico/observability';
import { installTestTracing } from '@portico/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { traceFastifyOnlyRoutes } from './self-traced-routes';

describe('traceFastifyOnlyRoutes', () => {
  const tracing = installTestTracing();
  const { exporter } = tracing;
  let app: FastifyInstance;
  const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
  const CALLER_SPAN = 'b7ad6b7169203331';

  beforeAll(async () => {
    app = Fastify({ bodyLimit: 64 });
    // The HTTP instrumentation runs every request it is told to skip with tracing suppressed; the
    // spans of these routes must be real all the same.
    app.addHook('onRequest', (_req, _reply, done) => context.with(suppressTracing(context.active()), done));
    traceFastifyOnlyRoutes(app, ['/hot/']);
    app.post('/hot/:id', async (req, reply) => {
      await tick(); // the span must still be the active one after the handler awaited
      trace.getTracer('t').startSpan('inside the handler').end();
      return reply.code((req.body as { status?: number }).status ?? 202).send({ ok: true });
    });
    app.post('/other', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    tracing.uninstall();
  });
  beforeEach(() => exporter.reset());

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });

  it("makes one SERVER span per request that continues the caller's trace and is active in the handler", async () => {
    const answer = await post(
      '/hot/acc_1?x=1',
      {},
      {
        traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
        'user-agent': 'carrier/1.0',
      },
    );
    expect(answer.statusCode).toBe(202);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server).toMatchObject({
      name: 'POST /hot/:id',
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/hot/:id',
        'url.path': '/hot/acc_1',
        'url.scheme': 'http',
        'user_agent.original': 'carrier/1.0',
        'http.response.status_code': 202,
      },
    });
    expect(server.spanContext().traceId).toBe(CALLER_TRACE);
    expect(server.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    const inner = spans.find((s) => s.name === 'inside the handler')!;
    expect(inner.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('starts a new trace without a traceparent, and marks 5xx answers as errors', async () => {
    expect((await post('/hot/acc_2', { status: 503 })).statusCode).toBe(503);
    const [server] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(server!.parentSpanContext).toBeUndefined();
    expect(server!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(server!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('gives the answers Fastify makes itself a span too (body over the limit: 413, no handler)', async () => {
    expect((await post('/hot/acc_3', { pad: 'x'.repeat(100) })).statusCode).toBe(413);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes['http.response.status_code']])).toEqual([
      ['POST /hot/:id', 413],
    ]);
  });

  it('leaves every other path to the HTTP instrumentation', async () => {
    expect((await post('/other', {})).statusCode).toBe(200);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(isSelfTraced('/hot/acc_1')).toBe(true);
    expect(isSelfTraced('/other')).toBe(false);
    expect(isSelfTraced('/hotel')).toBe(false);
  });
});
