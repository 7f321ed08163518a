import { HeaderNames, RetryHeaderNames } from '@portico/contracts';
import type { IHeaders } from 'kafkajs';

export { HeaderNames, RetryHeaderNames };

/**
 * Headers this library adds on retry/DLQ records on top of the contract's `x-*` set. They are
 * private to a consumer group's own retry and dead-letter topics, so they live here rather than in
 * the published contract.
 */
export const MessagingHeaderNames = {
  /** Position of the record in its key's parking queue (decimal). Order is enforced on it, not on
   * the record's position in the retry topic, so re-queued copies can never overtake each other. */
  parkSeq: 'x-park-seq',
  /** Reason code of a poison message (a `PoisonReason`). */
  errorReason: 'x-error-reason',
  /** Consumer group that gave up on the record. */
  consumerGroup: 'x-consumer-group',
  /** When the record was dead-lettered, RFC 3339. */
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/** Header values as strings: what our code reads and writes. */
export type StringHeaders = Record<string, string>;

/** Kafka delivers header values as Buffers (or arrays of them when a name repeats; the last wins,
 * as a later writer overrides an earlier one). */
export function normaliseHeaders(headers: IHeaders | undefined): StringHeaders {
  const out: StringHeaders = {};
  if (!headers) return out;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return out;
}

/** Headers that describe one failed delivery; a record moving on to its next stop drops them and
 * gets fresh ones, so stale errors never travel with it. */
const DELIVERY_STATE_HEADERS: readonly string[] = [
  ...Object.values(RetryHeaderNames),
  ...Object.values(MessagingHeaderNames),
];

/** The producer's headers only (event-id, type, schema, trace context, ...). */
export function withoutDeliveryState(headers: StringHeaders): StringHeaders {
  const out: StringHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!DELIVERY_STATE_HEADERS.includes(name)) out[name] = value;
  }
  return out;
}
