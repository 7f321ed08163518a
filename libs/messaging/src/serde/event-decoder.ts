import { fromBinary, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { HeaderNames, type StringHeaders } from '../headers/record-headers';
import { PoisonMessageError, PoisonReason } from './poison-message.error';
import { eventFieldsByType, selectedEventOf } from './stream-message';

/** A topic and the stream message its values are encoded with. Contracts' `TopicSpec` fits. */
export interface TopicSchema {
  readonly name: string;
  readonly valueSchema: DescMessage;
}

/** What arrives from Kafka, independent of the client library. */
export interface RawRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: StringHeaders;
}

export interface DecodedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly schema: string;
  readonly occurredAt: Date;
  readonly tenantId: string;
  /** The parcel id. */
  readonly key: string;
  /** The event set in the stream message's oneof: what handlers receive. */
  readonly event: Message;
  /** The whole stream message, for the rare handler that needs it. */
  readonly streamMessage: Message;
  readonly headers: StringHeaders;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 3339 with a zone; Date.parse alone would also accept "1" or "March 7".
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface TopicDecoder {
  readonly schema: DescMessage;
  readonly eventFields: Map<string, DescField>;
}

/**
 * Turns records of known topics into events, or throws a PoisonMessageError saying why it cannot.
 * Validation happens before the value is parsed, so a record with bad headers costs nothing.
 */
export class EventDecoder {
  private readonly topics = new Map<string, TopicDecoder>();

  constructor(topics: readonly TopicSchema[]) {
    for (const topic of topics) {
      this.topics.set(topic.name, {
        schema: topic.valueSchema,
        eventFields: eventFieldsByType(topic.valueSchema),
      });
    }
  }

  knowsTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** @param topic the stream topic the record belongs to (for retry records: the original topic). */
  decode(topic: string, record: RawRecord): DecodedEvent {
    const decoder = this.topics.get(topic);
    if (!decoder) throw new Error(`No schema registered for topic ${topic}`);
    const { headers } = record;

    const eventId = required(headers, HeaderNames.eventId);
    if (!UUID.test(eventId))
      throw new PoisonMessageError(PoisonReason.InvalidHeader, `${HeaderNames.eventId} is not a UUID`);
    const eventType = required(headers, HeaderNames.eventType);
    const schemaName = required(headers, HeaderNames.schema);
    const occurredAtRaw = required(headers, HeaderNames.occurredAt);
    const tenantId = required(headers, HeaderNames.tenantId);
    if (!RFC3339.test(occurredAtRaw) || Number.isNaN(Date.parse(occurredAtRaw))) {
      throw new PoisonMessageError(
        PoisonReason.InvalidHeader,
        `${HeaderNames.occurredAt} is not an RFC 3339 timestamp`,
      );
    }
    if (schemaName !== decoder.schema.typeName) {
      throw new PoisonMessageError(
        PoisonReason.UnknownSchema,
        `schema ${truncate(schemaName)} is not ${decoder.schema.typeName}, the schema of ${topic}`,
      );
    }
    if (!decoder.eventFields.has(eventType)) {
      throw new PoisonMessageError(
        PoisonReason.UnknownEventType,
        `${truncate(eventType)} is not an event of ${schemaName}`,
      );
    }
    const key = record.key?.toString('utf8');
    if (!key) throw new PoisonMessageError(PoisonReason.MissingKey, 'record has no key (the parcel id)');
    if (!record.value || record.value.length === 0) {
      throw new PoisonMessageError(PoisonReason.MissingValue, 'record has no value');
    }

    let streamMessage: Message;
    try {
      streamMessage = fromBinary(decoder.schema, record.value);
    } catch (error) {
      // The parser's message names wire-format problems only (offsets, wire types), no content.
      throw new PoisonMessageError(
        PoisonReason.CorruptPayload,
        `cannot parse ${schemaName}: ${(error as Error).message}`,
      );
    }
    const selected = selectedEventOf(decoder.schema, streamMessage);
    if (!selected) {
      throw new PoisonMessageError(
        PoisonReason.UnknownEventType,
        `${schemaName} carries no event this build knows`,
      );
    }
    if (selected.eventType !== eventType) {
      throw new PoisonMessageError(
        PoisonReason.EventTypeMismatch,
        `header says ${truncate(eventType)}, value holds ${selected.eventType}`,
      );
    }
    return {
      eventId: eventId.toLowerCase(),
      eventType,
      schema: schemaName,
      occurredAt: new Date(occurredAtRaw),
      tenantId,
      key,
      event: selected.event,
      streamMessage,
      headers,
    };
  }
}

function required(headers: StringHeaders, name: string): string {
  const value = headers[name];
  if (value === undefined || value.trim() === '') {
    throw new PoisonMessageError(PoisonReason.MissingHeader, `header ${name} is missing`);
  }
  return value;
}

// Header values come from outside; keep what we echo into errors short.
function truncate(value: string): string {
  return value.length > 120 ? `${value.slice(0, 120)}…` : value;
}
