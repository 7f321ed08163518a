import type { DescMessage } from '@bufbuild/protobuf';
import type { TrackingStreamEvent } from './gen/portico/carrier/v1/tracking_pb';
import type { ClaimEvent } from './gen/portico/claims/v1/claim_pb';
import type { ClearanceCaseEvent } from './gen/portico/clearance/v1/case_pb';
import type { OutreachEvent } from './gen/portico/notification/v1/outreach_pb';
import type { VaultDocumentEvent } from './gen/portico/vault/v1/document_pb';

/** A value of one of the platform's stream topics: a message whose `event` oneof holds the event. */
export type StreamMessage =
  TrackingStreamEvent | ClearanceCaseEvent | VaultDocumentEvent | OutreachEvent | ClaimEvent;

/** Fully qualified names of the events a stream message can carry. */
export type EventTypeName<T extends StreamMessage> = NonNullable<T['event']['value']>['$typeName'];

export interface EventTypeInfo<T extends StreamMessage = StreamMessage> {
  /** `event-type` header: e.g. `portico.carrier.v1.TrackingEventRecorded`. */
  readonly eventType: EventTypeName<T>;
  /** `schema` header: e.g. `portico.carrier.v1.TrackingStreamEvent`. */
  readonly schema: T['$typeName'];
}

/** Thrown for a stream message with no event set: such a record must never be produced. */
export class EmptyStreamMessageError extends Error {
  readonly code = 'CONTRACTS_EMPTY_STREAM_MESSAGE';
  constructor(readonly schema: string) {
    super(`${schema} has no event set in its "event" oneof`);
    this.name = 'EmptyStreamMessageError';
  }
}

/** The `event-type` and `schema` header values for a stream message about to be produced. */
export function eventTypeOf<T extends StreamMessage>(message: T): EventTypeInfo<T> {
  const event = message.event as { case: string | undefined; value?: { $typeName: string } };
  if (event.case === undefined || event.value === undefined) {
    throw new EmptyStreamMessageError(message.$typeName);
  }
  return {
    eventType: event.value.$typeName as EventTypeName<T>,
    schema: message.$typeName as T['$typeName'],
  };
}

/**
 * Every event type a stream message can carry, from its descriptor (e.g. for subscription
 * filters or for rejecting an unknown `event-type` header).
 */
export function eventTypeNamesOf(streamSchema: DescMessage): string[] {
  const oneof = streamSchema.oneofs.find((o) => o.name === 'event');
  if (!oneof) throw new Error(`${streamSchema.typeName} is not a stream message (no "event" oneof)`);
  return oneof.fields.flatMap((f) => (f.message ? [f.message.typeName] : []));
}
