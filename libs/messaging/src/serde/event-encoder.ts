import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import type { Context } from '@opentelemetry/api';
import { v7 as uuidv7 } from 'uuid';
import { HeaderNames, type StringHeaders } from '../headers/record-headers';
import { injectTraceContext } from '../tracing/trace-headers';
import { occurredAtOf, selectedEventOf } from './stream-message';

export interface EncodeEventOptions<D extends DescMessage> {
  /** Stream message descriptor (e.g. TrackingStreamEventSchema). */
  readonly schema: D;
  readonly message: MessageShape<D>;
  /** Record key: the parcel id. Never personal data (it ends up in spans and broker logs). */
  readonly key: string;
  readonly tenantId: string;
  /** Defaults to a fresh UUIDv7; pass one to keep an id across re-encodings. */
  readonly eventId?: string;
  /** Defaults to the event's own `occurredAt`, else now. */
  readonly occurredAt?: Date;
  /** Trace context to propagate; defaults to the active one. */
  readonly traceContext?: Context;
  /** Clock for the `occurred-at` fallback. */
  readonly now?: () => Date;
}

export interface EncodedRecord {
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: StringHeaders;
  readonly eventId: string;
  readonly eventType: string;
}

/** A stream message as a Kafka record: protobuf value, parcel id key, the standard headers. */
export function encodeEvent<D extends DescMessage>(options: EncodeEventOptions<D>): EncodedRecord {
  const { schema, message, key, tenantId } = options;
  if (!key) throw new Error('An event needs a key (the parcel id)');
  if (!tenantId) throw new Error('An event needs a tenant id');
  const selected = selectedEventOf(schema, message);
  if (!selected) throw new Error(`${schema.typeName} has no event set in its "event" oneof`);
  const eventId = options.eventId ?? uuidv7();
  const occurredAt =
    options.occurredAt ?? occurredAtOf(selected.event) ?? (options.now ?? (() => new Date()))();
  const headers: StringHeaders = {
    [HeaderNames.eventId]: eventId,
    [HeaderNames.eventType]: selected.eventType,
    [HeaderNames.schema]: schema.typeName,
    [HeaderNames.occurredAt]: occurredAt.toISOString(),
    [HeaderNames.tenantId]: tenantId,
  };
  injectTraceContext(headers, options.traceContext);
  return { key, value: toBinary(schema, message), headers, eventId, eventType: selected.eventType };
}
