import type { Message } from '@bufbuild/protobuf';
import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { StringHeaders } from '../headers/record-headers';
import type { DecodedEvent } from '../serde/event-decoder';
import type { DeliveryInfo, RecordCoordinates } from './delivery-processor';

/**
 * The second argument of every `@EventPattern` handler (`@Ctx() ctx: EventContext`): the event's
 * metadata and the EntityManager of the transaction the transport opened. Writes made through
 * `ctx.manager` commit together with the inbox row; the offset is committed after that.
 */
export class EventContext extends BaseRpcContext<[DecodedEvent, EntityManager, DeliveryInfo]> {
  constructor(
    event: DecodedEvent,
    manager: EntityManager,
    delivery: DeliveryInfo,
    private readonly runInTrace: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  ) {
    super([event, manager, delivery]);
  }

  /**
   * Runs `work` inside this record's consumer span. A batch handler runs once for many records,
   * outside any one record's trace: whatever it does for one record (outbox rows, HTTP calls,
   * logs) goes through this so the parcel's trace stays one trace. For a handler of one record it
   * just runs `work` (that record's span is already the active one).
   */
  inTrace<T>(work: () => Promise<T>): Promise<T> {
    return this.runInTrace(work);
  }

  /** Use this for every write of the handler: it is the transport's transaction. */
  get manager(): EntityManager {
    return this.args[1];
  }
  get eventId(): string {
    return this.args[0].eventId;
  }
  get eventType(): string {
    return this.args[0].eventType;
  }
  get schema(): string {
    return this.args[0].schema;
  }
  get occurredAt(): Date {
    return this.args[0].occurredAt;
  }
  get tenantId(): string {
    return this.args[0].tenantId;
  }
  /** The record key. */
  get parcelId(): string {
    return this.args[0].key;
  }
  get key(): string {
    return this.args[0].key;
  }
  get headers(): Readonly<StringHeaders> {
    return this.args[0].headers;
  }
  get streamMessage(): Message {
    return this.args[0].streamMessage;
  }
  /** The stream topic and the record's coordinates there (also for retried records). */
  get origin(): RecordCoordinates {
    return this.args[2].origin;
  }
  get topic(): string {
    return this.args[2].origin.topic;
  }
  get partition(): number {
    return this.args[2].origin.partition;
  }
  get offset(): string {
    return this.args[2].origin.offset;
  }
  /** Where this copy was read: the stream topic or the group's retry topic. */
  get deliveredFrom(): RecordCoordinates {
    return this.args[2].deliveredFrom;
  }
  /** Failed attempts before this one. */
  get previousFailures(): number {
    return this.args[2].previousFailures;
  }
  get group(): string {
    return this.args[2].group;
  }
}

/**
 * The second argument of an `@EventBatchPattern` handler (`@Ctx() batch: EventBatchContext`): the
 * transaction shared by the whole batch and one EventContext per event, in the same order as the
 * events of `@Payload()`.
 */
export class EventBatchContext extends BaseRpcContext<[readonly EventContext[], EntityManager]> {
  constructor(contexts: readonly EventContext[], manager: EntityManager) {
    super([contexts, manager]);
  }

  /** The transport's transaction: every write of the batch, committed with the inbox rows. */
  get manager(): EntityManager {
    return this.args[1];
  }
  /** contexts[i] belongs to the i-th event of the payload. */
  get contexts(): readonly EventContext[] {
    return this.args[0];
  }
  get size(): number {
    return this.args[0].length;
  }
}
