/**
 * OpenTelemetry bootstrap. This file is the package's `./tracing` entry and imports nothing but
 * OpenTelemetry, so a service's main.ts can start tracing before Nest, pg or kafkajs are loaded:
 * the instrumentations patch those modules when they are first required, not afterwards.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  trace,
  type Context,
  type DiagLogger,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { REDACTED, scrubPersonalData } from './pii';
import { pathWithoutQuery, redactSecretSegments } from './logger';
import { isSelfTraced } from './server-span';

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP collector base URL (spans go to `<endpoint>/v1/traces`). No export when absent. */
  otlpEndpoint?: string;
  /** Extra processors from the start, e.g. `new SimpleSpanProcessor(new InMemorySpanExporter())`. */
  spanProcessors?: SpanProcessor[];
  /** Extra resource attributes, e.g. `{ 'deployment.environment.name': 'staging' }`. */
  resourceAttributes?: Record<string, string>;
  /** Incoming request paths that never start a trace (probes and scrapes). */
  untracedPaths?: readonly string[];
  /** Upper bound for flushing spans on shutdown. */
  shutdownTimeoutMs?: number;
}

export interface TracingHandle {
  readonly serviceName: string;
  /** True when spans are exported to a collector. */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

export const DEFAULT_UNTRACED_PATHS = ['/health/live', '/health/ready', '/metrics'] as const;

/**
 * Forwards to a list of processors that can change at run time, so tests can attach an in-memory
 * exporter after start (SDK 2.x tracer providers no longer accept processors once built). It also
 * masks ID and phone numbers in string attributes before any exporter sees them: defence in depth,
 * personal data must not be put into attributes in the first place.
 */
class DynamicSpanProcessor implements SpanProcessor {
  readonly processors = new Set<SpanProcessor>();

  onStart(span: Span, parentContext: Context): void {
    for (const p of this.processors) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    scrubAttributes(span.attributes as Record<string, unknown>);
    for (const event of span.events)
      if (event.attributes) scrubAttributes(event.attributes as Record<string, unknown>);
    for (const p of this.processors) p.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.processors].map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.processors].map((p) => p.shutdown()));
  }
}

/**
 * Query strings may carry one-time tokens and signatures: spans keep the path only. Paths may carry
 * a link secret as a segment (`/u/<token>`, `/e/<token>`): it becomes `:secret`, as in the logs.
 */
const QUERY_ATTRIBUTES = new Set(['url.query', 'http.query']);
const URL_ATTRIBUTES = new Set(['url.full', 'http.url', 'http.target', 'url.path']);

function scrubAttributes(attributes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') continue;
    let clean = scrubPersonalData(value);
    if (QUERY_ATTRIBUTES.has(key)) clean = REDACTED;
    else if (URL_ATTRIBUTES.has(key)) {
      const q = clean.indexOf('?');
      clean =
        q === -1 ? redactSecretSegments(clean) : `${redactSecretSegments(clean.slice(0, q))}?${REDACTED}`;
    }
    if (clean !== value) attributes[key] = clean;
  }
}

interface ActiveTracing {
  handle: TracingHandle;
  sdk: NodeSDK;
  processor: DynamicSpanProcessor;
}

let active: ActiveTracing | undefined;

/** Modules the instrumentations must see being loaded; finding them already loaded means main.ts is out of order. */
const MUST_LOAD_AFTER_TRACING = [
  '/node_modules/pg/',
  '/node_modules/kafkajs/',
  '/node_modules/fastify/',
  '/node_modules/@nestjs/core/',
];

function warn(serviceName: string, msg: string, extra: Record<string, unknown> = {}): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), service: serviceName, msg, ...extra })}\n`,
  );
}

class StderrDiagLogger implements DiagLogger {
  constructor(private readonly serviceName: string) {}
  private write(level: string, message: string, args: unknown[]): void {
    const detail = args
      .map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeJson(a)))
      .join(' ');
    process.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), service: this.serviceName, msg: scrubPersonalData(`opentelemetry: ${message} ${detail}`.trim()) })}\n`,
    );
  }
  error = (message: string, ...args: unknown[]) => this.write('error', message, args);
  warn = (message: string, ...args: unknown[]) => this.write('warn', message, args);
  info = (message: string, ...args: unknown[]) => this.write('info', message, args);
  debug = (message: string, ...args: unknown[]) => this.write('debug', message, args);
  verbose = (message: string, ...args: unknown[]) => this.write('trace', message, args);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function pathOf(url: string | undefined): string {
  return pathWithoutQuery(url);
}

/**
 * Starts the OpenTelemetry SDK: W3C trace context + baggage propagation, HTTP, pg and kafkajs
 * instrumentation, and OTLP/HTTP export when an endpoint is given. Without an endpoint a real tracer
 * provider still runs (ids are generated and propagated through HTTP and Kafka headers, logs carry
 * trace ids), only nothing is exported. Idempotent: a second call returns the running instance.
 */
export function startTracing(options: TracingOptions): TracingHandle {
  if (active) return active.handle;
  const { serviceName } = options;

  const preloaded = Object.keys(require.cache).filter((file) =>
    MUST_LOAD_AFTER_TRACING.some((m) => file.includes(m)),
  );
  if (preloaded.length > 0) {
    const modules = [...new Set(preloaded.map((f) => MUST_LOAD_AFTER_TRACING.find((m) => f.includes(m))))];
    warn(serviceName, 'tracing started after instrumented modules were loaded; their spans will be missing', {
      modules,
    });
  }

  diag.setLogger(new StderrDiagLogger(serviceName), DiagLogLevel.WARN);

  const processor = new DynamicSpanProcessor();
  for (const p of options.spanProcessors ?? []) processor.processors.add(p);
  const exporting = Boolean(options.otlpEndpoint);
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processor.processors.add(
      new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5_000 }), {
        scheduledDelayMillis: 1_000,
      }),
    );
  }

  const untraced = new Set(options.untracedPaths ?? DEFAULT_UNTRACED_PATHS);
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: serviceName,
    ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    'service.namespace': 'portico',
    'service.instance.id': randomUUID(),
    'host.name': hostname(),
    'process.pid': process.pid,
    ...options.resourceAttributes,
  });

  const instrumentations = [
    new HttpInstrumentation({
      // self-traced prefixes: the service makes those server spans itself (server-span.ts)
      ignoreIncomingRequestHook: (req) => {
        const path = pathOf(req.url);
        return untraced.has(path) || isSelfTraced(path);
      },
      // The instrumentation records the request target; link secrets in paths and queries must not
      // reach the trace store, so the recorded target is the redacted path.
      startIncomingSpanHook: (req) => ({ 'url.path': pathOf((req as { url?: string }).url) }),
    }),
    // Queries outside a request or a message would be noise (pollers, pool checks); parameters are
    // never recorded because they may hold personal data.
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    new KafkaJsInstrumentation(),
  ];
  // Every component is given explicitly: left unset, NodeSDK falls back to OTEL_* environment
  // defaults, which means OTLP metric and log exporters pointed at localhost.
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    instrumentations,
  });
  sdk.start();

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 3_000;
  const handle: TracingHandle = {
    serviceName,
    exporting,
    async shutdown() {
      if (active?.handle !== handle) return;
      active = undefined;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          warn(serviceName, 'tracing shutdown timed out; some spans were not exported', {
            timeoutMs: shutdownTimeoutMs,
          });
          resolve();
        }, shutdownTimeoutMs);
        timer.unref();
      });
      try {
        await Promise.race([sdk.shutdown(), timeout]);
      } finally {
        clearTimeout(timer);
        // Allows a later startTracing in the same process (tests).
        for (const i of instrumentations) i.disable();
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      }
    },
  };
  active = { handle, sdk, processor };
  return handle;
}

/** Flushes and stops tracing. Safe to call when tracing never started. */
export async function shutdownTracing(): Promise<void> {
  await active?.handle.shutdown();
}

/** Test hook: attach a processor (e.g. an in-memory exporter) to the running tracer provider. Returns a detach function. */
export function addSpanProcessor(processor: SpanProcessor): () => void {
  if (!active) throw new Error('addSpanProcessor: startTracing() has not been called');
  const set = active.processor.processors;
  set.add(processor);
  return () => {
    set.delete(processor);
  };
}

/** Flushes all span processors (tests call this before reading an in-memory exporter). */
export async function flushSpans(): Promise<void> {
  await active?.processor.forceFlush();
}

export { currentTraceIds, extractTraceContext, injectTraceContext } from './trace-context';
