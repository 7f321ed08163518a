/**
 * Kafka record header names. Values are UTF-8 strings; the formats are part of the contract
 * (documented in proto/portico/common/v1/headers.proto).
 */
export const HeaderNames = {
  /** UUIDv7, fixed by the producer; kept across retries, relays and replays. Inbox dedupe key. */
  eventId: 'event-id',
  /** Fully qualified name of the set oneof case, e.g. `portico.carrier.v1.TrackingEventRecorded`. */
  eventType: 'event-type',
  /** Fully qualified name of the stream message, e.g. `portico.carrier.v1.TrackingStreamEvent`. */
  schema: 'schema',
  /** RFC 3339 UTC with milliseconds, e.g. `2026-11-22T08:15:30.123Z`. */
  occurredAt: 'occurred-at',
  /** W3C Trace Context. */
  traceparent: 'traceparent',
  /** W3C Trace Context vendor state. */
  tracestate: 'tracestate',
  /** Owning tenant id. */
  tenantId: 'tenant-id',
} as const;
export type HeaderName = (typeof HeaderNames)[keyof typeof HeaderNames];

/** Headers without which a record is malformed (sent to the DLQ with a reason). Trace headers are
 * optional: a producer running without tracing has no context to send. */
export const REQUIRED_HEADERS: readonly HeaderName[] = Object.freeze([
  HeaderNames.eventId,
  HeaderNames.eventType,
  HeaderNames.schema,
  HeaderNames.occurredAt,
  HeaderNames.tenantId,
]);

/**
 * Headers added to records on `<topic>.retry.<group>` and `<topic>.dlq.<group>`; the standard
 * headers above are kept unchanged.
 */
export const RetryHeaderNames = {
  /** Stream topic the record was first consumed from. */
  originalTopic: 'x-original-topic',
  /** Its partition there (decimal). */
  originalPartition: 'x-original-partition',
  /** Its offset there (decimal). */
  originalOffset: 'x-original-offset',
  /** Number of failed attempts so far (decimal, starting at 1). */
  attempt: 'x-attempt',
  /** Error message of the last failure (no personal data: errors never carry it). */
  error: 'x-error',
  /** Classification of the last failure (e.g. transient, permanent, malformed). */
  errorKind: 'x-error-kind',
  /** Earliest time of the next attempt, epoch milliseconds (decimal). */
  notBefore: 'x-not-before',
  /** Present (`true`) when the record did not fail itself but was parked behind an earlier record
   * of the same key that is waiting in retry, so per-parcel order is kept. */
  parked: 'x-parked',
} as const;
export type RetryHeaderName = (typeof RetryHeaderNames)[keyof typeof RetryHeaderNames];
