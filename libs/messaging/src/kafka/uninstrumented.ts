/**
 * The original method behind an OpenTelemetry (shimmer) wrapper, or the method itself.
 *
 * Why: @opentelemetry/instrumentation-kafkajs wraps producer.send/sendBatch and overwrites each
 * message's `traceparent` with a span parented on whatever context is active at the call. The
 * outbox relay sends one batch holding rows from many traces, so that would cut every row's trace.
 * The relay creates a producer span per row itself (parented on the row's stored context) and
 * calls the unwrapped method so those headers survive.
 */
export function unwrapInstrumented<F extends (...args: never[]) => unknown>(method: F): F {
  const original = (method as unknown as { __original?: unknown }).__original;
  return typeof original === 'function' ? (original as F) : method;
}
