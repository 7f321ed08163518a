// Note for main.ts: import tracing from '@portico/observability/tracing' (OpenTelemetry only) and start
// it before this index, or anything that loads Nest, pg or kafkajs, is required.
export {
  addSpanProcessor,
  DEFAULT_UNTRACED_PATHS,
  flushSpans,
  shutdownTracing,
  startTracing,
  type TracingHandle,
  type TracingOptions,
} from './tracing';
export * from './trace-context';
export * from './server-span';
export * from './pii';
export * from './logger';
export * from './metrics';
export * from './health';
