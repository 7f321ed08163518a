import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger } from './logger';
import { currentTraceIds, extractTraceContext, injectTraceContext } from './trace-context';
import { addSpanProcessor, flushSpans, shutdownTracing, startTracing } from './tracing';

describe('tracing without an exporter', () => {
  const exporter = new InMemorySpanExporter();

  beforeAll(() => {
    const handle = startTracing({ serviceName: 'tracing-test' });
    expect(handle.exporting).toBe(false);
    addSpanProcessor(new SimpleSpanProcessor(exporter));
  });
  afterAll(() => shutdownTracing());
  beforeEach(() => exporter.reset());

  it('is idempotent', () => {
    expect(startTracing({ serviceName: 'other' }).serviceName).toBe('tracing-test');
  });

  it('records spans with the service name as resource', async () => {
    trace.getTracer('t').startActiveSpan('work', (span) => span.end());
    await flushSpans();
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('work');
    expect(span.resource.attributes['service.name']).toBe('tracing-test');
  });

  it('puts trace and span ids of the active span into log lines', () => {
    const lines: string[] = [];
    const logger = createLogger({
      serviceName: 'tracing-test',
      destination: new Writable({ write: (c, _e, done) => (lines.push(c.toString()), done()) }),
    });
    let ids: ReturnType<typeof currentTraceIds>;
    trace.getTracer('t').startActiveSpan('logged', (span) => {
      ids = currentTraceIds();
      logger.info('inside a span');
      span.end();
    });
    expect(ids).toBeDefined();
    expect(JSON.parse(lines[0])).toMatchObject({ trace_id: ids!.trace_id, span_id: ids!.span_id });
    expect(currentTraceIds()).toBeUndefined();
  });

  it('propagates W3C trace context through string or Buffer headers (Kafka, outbox)', () => {
    const tracer = trace.getTracer('t');
    const parent = tracer.startSpan('producer');
    const headers = injectTraceContext({}, trace.setSpan(context.active(), parent));
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const asKafka = { traceparent: Buffer.from(headers.traceparent) };
    const child = tracer.startSpan('consumer', {}, extractTraceContext(asKafka));
    expect(child.spanContext().traceId).toBe(parent.spanContext().traceId);
    child.end();
    parent.end();
  });

  it('masks ID and phone numbers that were put into span attributes anyway', async () => {
    trace.getTracer('t').startActiveSpan('leaky', (span) => {
      span.setAttribute('note', 'resident 11010519491231002X, 13812345678');
      span.setAttribute('parcel.id', 'p-123');
      span.setAttribute('url.query', 'token=one-time-secret');
      span.setAttribute('url.full', 'http://h/upload/x?token=one-time-secret');
      span.setAttribute('http.target', `/e/${'A'.repeat(43)}/evidence?lang=zh`);
      span.setAttribute('url.path', `/u/${'b'.repeat(43)}`);
      span.end();
    });
    await flushSpans();
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes).toEqual({
      note: 'resident [id-number], [phone]',
      'parcel.id': 'p-123',
      'url.query': '[redacted]',
      'url.full': 'http://h/upload/x?[redacted]',
      'http.target': '/e/:secret/evidence?[redacted]',
      'url.path': '/u/:secret',
    });
  });
});
