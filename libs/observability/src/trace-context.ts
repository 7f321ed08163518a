import {
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';

/** Trace and span id of the active span, if any: what logs carry to join a trace. */
export function currentTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return undefined;
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

/**
 * Trace context of the active span as W3C headers (`traceparent`, `tracestate`, `baggage`), for
 * carriers the instrumentations do not handle themselves: outbox rows, outbound webhooks.
 */
export function injectTraceContext(
  carrier: Record<string, string> = {},
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, carrier);
  return carrier;
}

type HeaderValue = string | Buffer | readonly (string | Buffer)[] | undefined | null;

const headerGetter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value.map((v) => v.toString());
    return value.toString();
  },
};

/** A context carrying the remote span described by W3C headers (string or Buffer values, as in Kafka). */
export function extractTraceContext(
  carrier: Record<string, HeaderValue>,
  base: Context = context.active(),
): Context {
  return propagation.extract(base, carrier, headerGetter);
}

/** The trace context a durable row (a queued message, a webhook delivery) stored when it was written. */
export function storedTraceContext(stored: {
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}): Context {
  return extractTraceContext({
    ...(stored.traceparent ? { traceparent: stored.traceparent } : {}),
    ...(stored.tracestate ? { tracestate: stored.tracestate } : {}),
  });
}
