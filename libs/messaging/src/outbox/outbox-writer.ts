import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { context as otelContext, type Context } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';
import { namedStatement, queryNamed } from '../persistence/named-statements';
import { encodeEvent } from '../serde/event-encoder';
import { outboxLaneOf } from './outbox-lane';

export interface OutboxEvent<D extends DescMessage> {
  readonly topic: string;
  /** The parcel id. */
  readonly key: string;
  readonly tenantId: string;
  /** Stream message descriptor of the topic (e.g. TrackingStreamEventSchema). */
  readonly schema: D;
  readonly message: MessageShape<D>;
  readonly eventId?: string;
  readonly occurredAt?: Date;
  /**
   * The trace the event continues, when it is not the one active at append time: a group commit
   * writes many requests' events in one transaction, and each must carry its own request's trace.
   */
  readonly traceContext?: Context;
}

export interface AppendedEvent {
  readonly eventId: string;
  readonly eventType: string;
}

/**
 * Writes events into the outbox inside the caller's transaction: the state change and its events
 * commit or roll back together. The active trace context is stored with the row so the relay can
 * continue the trace after the gap.
 */
export class OutboxWriter {
  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** @param manager the EntityManager of the caller's open transaction. */
  async append<D extends DescMessage>(manager: EntityManager, event: OutboxEvent<D>): Promise<AppendedEvent> {
    const [appended] = await this.appendMany(manager, [event]);
    return appended!;
  }

  /** Several events in one INSERT, in the given order (which is their publishing order per key). */
  async appendMany(
    manager: EntityManager,
    events: readonly OutboxEvent<DescMessage>[],
  ): Promise<AppendedEvent[]> {
    assertInTransaction(manager);
    if (events.length === 0) return [];
    const rows = this.encode(events);
    await queryNamed(manager, OUTBOX_INSERT, [...rows.values]);
    return [...rows.appended];
  }

  /**
   * The events as outbox rows, for a caller that writes them in a statement of its own (one round
   * trip for its state change and its events: see `outboxInsertSql`). Same encoding, trace context
   * and order as `appendMany`.
   */
  encode(events: readonly OutboxEvent<DescMessage>[]): EncodedOutboxRows {
    const topics: string[] = [];
    const keys: string[] = [];
    const lanes: number[] = [];
    const values: Buffer[] = [];
    const headers: string[] = [];
    const appended: AppendedEvent[] = [];
    for (const event of events) {
      const encode = () =>
        encodeEvent({
          schema: event.schema,
          message: event.message,
          key: event.key,
          tenantId: event.tenantId,
          eventId: event.eventId,
          occurredAt: event.occurredAt,
          now: this.clock,
        });
      const record = event.traceContext ? otelContext.with(event.traceContext, encode) : encode();
      topics.push(event.topic);
      keys.push(record.key);
      lanes.push(outboxLaneOf(record.key));
      values.push(Buffer.from(record.value));
      headers.push(JSON.stringify(record.headers));
      appended.push({ eventId: record.eventId, eventType: record.eventType });
    }
    return { values: [topics, keys, lanes, values, headers], appended };
  }
}

/** Outbox rows as the five parameter arrays `outboxInsertSql` reads, plus what was appended. */
export interface EncodedOutboxRows {
  readonly values: readonly [string[], string[], number[], Buffer[], string[]];
  readonly appended: readonly AppendedEvent[];
}

/**
 * The INSERT of encoded outbox rows whose five arrays are the parameters `$first` to `$first+4`
 * (EncodedOutboxRows.values, in order). Run it inside the transaction of the state change, alone or
 * as the main statement after data-modifying CTEs. unnest keeps it one statement for any number of
 * rows; WITH ORDINALITY + ORDER BY makes the bigserial ids follow the given order.
 */
export function outboxInsertSql(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO outbox (topic, key, lane, value, headers)
       SELECT topic, key, lane, value, headers::jsonb
         FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::smallint[], ${p(3)}::bytea[], ${p(4)}::text[])
              WITH ORDINALITY AS t(topic, key, lane, value, headers, n)
        ORDER BY n`;
}

function assertInTransaction(manager: EntityManager): void {
  // Outside a transaction the event could commit without the state change (or the reverse).
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('OutboxWriter.append needs the EntityManager of an open transaction');
  }
}

/** appendMany's INSERT, named where the transaction allows it (queryNamed). */
const OUTBOX_INSERT = namedStatement('outbox_insert_v1', outboxInsertSql(1));
