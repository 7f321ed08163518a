import type { DescField, DescMessage, DescOneof, Message, MessageShape } from '@bufbuild/protobuf';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';

/**
 * Portico topics carry "stream messages": one message per aggregate stream whose `event` oneof
 * holds the actual event (DESIGN.md, Events). These helpers work on any such descriptor, so the
 * library never depends on a particular contract.
 */
export function eventOneofOf(schema: DescMessage): DescOneof {
  const oneof = schema.oneofs.find((o) => o.name === 'event');
  if (!oneof) throw new Error(`${schema.typeName} is not a stream message (no "event" oneof)`);
  return oneof;
}

/** event-type header value -> the oneof field that carries it. */
export function eventFieldsByType(schema: DescMessage): Map<string, DescField> {
  const byType = new Map<string, DescField>();
  for (const field of eventOneofOf(schema).fields) {
    if (field.message) byType.set(field.message.typeName, field);
  }
  return byType;
}

export interface SelectedEvent {
  /** Fully qualified name of the event message: the `event-type` header value. */
  readonly eventType: string;
  readonly event: Message;
}

/** The event set in a stream message's oneof, or undefined when none is set (or the set field is
 * unknown to this build of the schema: it then only survives as unknown fields). */
export function selectedEventOf<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
): SelectedEvent | undefined {
  const oneof = eventOneofOf(schema);
  const selected = (message as unknown as Record<string, { case?: string; value?: unknown }>)[
    oneof.localName
  ];
  if (!selected || selected.case === undefined || selected.value === undefined) return undefined;
  const value = selected.value as Message;
  return { eventType: value.$typeName, event: value };
}

/** The event's own `occurred_at` when it has one, so the header equals the field as the contract
 * requires. */
export function occurredAtOf(event: Message): Date | undefined {
  const candidate = (event as unknown as { occurredAt?: Timestamp }).occurredAt;
  if (candidate && candidate.$typeName === 'google.protobuf.Timestamp') return timestampDate(candidate);
  return undefined;
}
