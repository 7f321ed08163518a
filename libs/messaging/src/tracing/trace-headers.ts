import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { StringHeaders } from '../headers/record-headers';

/** One tracer for everything this library does, so its spans are easy to find and filter. */
export const MESSAGING_TRACER_NAME = '@portico/messaging';
export const messagingTracer = () => trace.getTracer(MESSAGING_TRACER_NAME);

const stringHeadersGetter: TextMapGetter<StringHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/**
 * Writes the W3C trace context (traceparent/tracestate) of `ctx` into `headers`, through the
 * globally registered propagator (libs/observability registers W3C Trace Context). Without a
 * registered propagator nothing is written and existing trace headers stay untouched.
 */
export function injectTraceContext(headers: StringHeaders, ctx: Context = context.active()): StringHeaders {
  propagation.inject(ctx, headers);
  return headers;
}

/** The remote trace context carried by a record's headers (ROOT when there is none). */
export function extractTraceContext(headers: StringHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers, stringHeadersGetter);
}
