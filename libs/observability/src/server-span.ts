import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { extractTraceContext } from './trace-context';

/**
 * Server spans made by the service itself, for its hottest routes.
 *
 * The HTTP instrumentation's server span is made for any Node server: it binds the request's and
 * the response's event emitters to the trace context, wraps every listener added to them and reads
 * a dozen attributes from the socket and the headers. At thousands of carrier webhooks a second that
 * bookkeeping was the largest single cost left in carrier-ingestion (bench:ingest, 2026-12-04: the
 * service's CPU per webhook 0.674 ms with it, 0.542 ms with the instrumentation skipping the route).
 * These routes get the same span made in three steps instead: started when the request arrives,
 * made the active context around the handler, ended with the status when the answer is sent.
 * service-kit wires them for a service's Fastify-only path prefixes (`fastifyOnlyPathPrefixes`) and
 * tells the instrumentation to skip those paths (`traceServerSpansUnder`).
 */

const selfTraced: string[] = [];

/** Incoming requests under `prefix` get their server span from `startServerSpan`, not from the HTTP instrumentation. */
export function traceServerSpansUnder(prefix: string): void {
  if (!selfTraced.includes(prefix)) selfTraced.push(prefix);
}

/** True when the HTTP instrumentation must leave the request at `path` to `startServerSpan`. */
export function isSelfTraced(path: string): boolean {
  for (const prefix of selfTraced) if (path.startsWith(prefix)) return true;
  return false;
}

export interface IncomingRequestFacts {
  readonly method: string;
  /** The route template, e.g. `/webhooks/:carrierAccountId`: the span's name and `http.route`. */
  readonly route: string;
  /** The path without its query (secret segments are redacted by the span processor on end). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly scheme?: string;
}

export interface ServerSpan {
  readonly span: Span;
  /** The context to run the handler in: the caller's trace (from `traceparent`) with this span active. */
  readonly context: Context;
}

const TRACER = 'portico-http-server';

/** Starts the SERVER span of an incoming request, continuing the caller's trace when it sent one. */
export function startServerSpan(facts: IncomingRequestFacts): ServerSpan {
  // From the root, not the active context: the HTTP instrumentation runs a request it skips with
  // tracing suppressed, which would make this span and every span under it a no-op.
  const parent = facts.headers.traceparent
    ? extractTraceContext(facts.headers as Record<string, string>, ROOT_CONTEXT)
    : ROOT_CONTEXT;
  const userAgent = facts.headers['user-agent'];
  const span = trace.getTracer(TRACER).startSpan(
    `${facts.method} ${facts.route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': facts.method,
        'http.route': facts.route,
        'url.path': facts.path,
        'url.scheme': facts.scheme ?? 'http',
        ...(typeof userAgent === 'string' ? { 'user_agent.original': userAgent } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends the span with the answer's status: 5xx (and an aborted request) is an error, as the instrumentation has it. */
export function endServerSpan(span: Span, statusCode: number | undefined, error?: Error): void {
  if (statusCode !== undefined) span.setAttribute('http.response.status_code', statusCode);
  if (error) span.recordException(error);
  if (statusCode === undefined || statusCode >= 500) {
    span.setAttribute(
      'error.type',
      statusCode === undefined ? (error?.name ?? 'aborted') : String(statusCode),
    );
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Runs `fn` (e.g. the web framework's next step, which calls the handler) with the span active. */
export function runInServerSpan(serverSpan: ServerSpan, fn: () => void): void {
  context.with(serverSpan.context, fn);
}
