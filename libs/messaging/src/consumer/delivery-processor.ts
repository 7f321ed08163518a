import { dlqTopicName, retryTopicName } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import {
  MessagingHeaderNames,
  RetryHeaderNames,
  withoutDeliveryState,
  type StringHeaders,
} from '../headers/record-headers';
import type { DecodedEvent, EventDecoder, RawRecord } from '../serde/event-decoder';
import { PoisonMessageError } from '../serde/poison-message.error';
import { injectTraceContext } from '../tracing/trace-headers';
import type { BackoffSchedule } from './backoff-schedule';
import type { ConsumerRepository } from './consumer.repository';
import {
  afterEnqueued,
  afterHeadFailed,
  afterResolved,
  decideFreshRecord,
  decideQueuedRecord,
} from './parking-decision';
import type { OutgoingRecord, RecordGateway } from './record-gateway';

/** A record as consumed, with its coordinates. */
export interface ConsumedRecord extends RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Where a record was first consumed from the stream topic (kept through retries and the DLQ). */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Everything a handler gets besides the event itself. */
export interface DeliveryInfo {
  readonly group: string;
  /** The stream topic and the record's coordinates there. */
  readonly origin: RecordCoordinates;
  /** Where this copy was read (the stream topic, or the retry topic). */
  readonly deliveredFrom: RecordCoordinates;
  /** Failed attempts before this one (0 on first delivery and for parked records). */
  readonly previousFailures: number;
}

export interface HandlerInvocation {
  readonly event: DecodedEvent;
  readonly manager: EntityManager;
  readonly delivery: DeliveryInfo;
}

export type Outcome =
  | 'handled'
  | 'duplicate'
  | 'ignored'
  | 'parked'
  | 'retry-scheduled'
  | 'dead-lettered'
  | 'poison'
  | 'requeued'
  | 'dropped';

/** A record of a chunk, as its event type's handlers get it together with the others of its run. */
export interface BatchMember extends HandlerInvocation {
  /** Runs `work` inside the record's own consumer span (the trace its producer started). */
  inTrace<T>(work: () => Promise<T>): Promise<T>;
}

/** The transport's spans for a chunk's records. */
export interface RecordTracing {
  open(record: ConsumedRecord): RecordTrace;
}

export interface RecordTrace {
  inTrace<T>(work: () => Promise<T>): Promise<T>;
  /** undefined: the record goes one by one (its span there is a new one). */
  end(outcome: Outcome | undefined): void;
}

export interface DeliveryProcessorDeps {
  readonly group: string;
  readonly decoder: EventDecoder;
  readonly repository: ConsumerRepository;
  readonly gateway: RecordGateway;
  readonly schedule: BackoffSchedule;
  hasHandler(eventType: string): boolean;
  /** Told why a batch went back to record by record (a metric, a debug line). */
  onBatchFallback?(reason: unknown): void;
  /** Runs the handler; it must throw when the handler failed. */
  invoke(invocation: HandlerInvocation): Promise<void>;
  /**
   * Runs the handlers of a run of consecutive records of one event type, in one go (batch
   * handlers); it must throw when one failed. Without it, each member is invoked on its own.
   */
  invokeRun?(run: readonly BatchMember[]): Promise<void>;
  now(): number;
}

export interface RetryControls {
  /** Waits until the given epoch milliseconds (keeping the consumer's group membership alive). */
  waitUntil(epochMs: number): Promise<void>;
}

/** A batch record needs the one-by-one path (its key is parked behind an earlier failure). */
class LeaveBatch extends Error {}

/** Marks an error thrown by the handler itself, as opposed to our own I/O failing. */
class HandlerFailure extends Error {
  constructor(readonly original: unknown) {
    super(describeError(original));
  }
}

export const MAX_ERROR_HEADER_LENGTH = 1000;

/**
 * What happens to one record: decode, inbox dedupe, handler, retry/park/dead-letter. Kafka and
 * Postgres are behind the gateway and repository, so every path is unit-testable.
 *
 * Every path either returns an Outcome (the caller commits the offset) or throws an
 * infrastructure error (the caller retries the same record, never skipping it). A record that
 * moves to the retry or dead-letter topic is produced (acks=-1) before the transaction that
 * records it commits, and that commits before the offset: a crash in between produces a
 * duplicate, never a loss; duplicates are dropped by the inbox and by the parking numbers.
 */
export class DeliveryProcessor {
  constructor(private readonly deps: DeliveryProcessorDeps) {}

  /** A record from a stream topic. */
  async processStreamRecord(record: ConsumedRecord): Promise<Outcome> {
    const origin = coordinatesOf(record);
    let event: DecodedEvent;
    try {
      event = this.deps.decoder.decode(record.topic, record);
    } catch (error) {
      if (!(error instanceof PoisonMessageError)) throw error;
      await this.deps.gateway.send(
        dlqTopicName(record.topic, this.deps.group),
        this.poisonRecord(record, origin, error),
      );
      return 'poison';
    }
    if (!this.deps.hasHandler(event.eventType)) return 'ignored';
    return this.runFresh(record, event, origin);
  }

  /**
   * Several records of one stream partition in ONE transaction: the common case (nothing parked,
   * every handler succeeds) costs one BEGIN/COMMIT, one inbox statement and one fsync for all of
   * them instead of one each, and runs of consecutive records of one event type reach batch
   * handlers at once (deps.invokeRun). `tracing` opens each record's own span (the producer's
   * trace continues through it) for the whole chunk.
   *
   * @returns one entry per record: its outcome, committed; or undefined for the records that must
   * go one by one with processStreamRecord. A poison record is dead-lettered on its own and does
   * not stop the others. A parked key, a failing handler or the database failing roll the
   * transaction back: then every record that needed it is undefined (nothing of it committed) and
   * the one-by-one path retries, parks or dead-letters each record on its own. Handler attempts are
   * at-least-once either way; committed effects stay exactly once per event (the inbox rows commit
   * with them).
   */
  async processStreamBatch(
    records: readonly ConsumedRecord[],
    tracing: RecordTracing,
  ): Promise<Array<Outcome | undefined>> {
    const outcomes: Array<Outcome | undefined> = records.map(() => undefined);
    const traces = records.map((record) => tracing.open(record));
    try {
      const pending: Array<{ index: number; event: DecodedEvent }> = [];
      for (const [index, record] of records.entries()) {
        let event: DecodedEvent;
        try {
          event = this.deps.decoder.decode(record.topic, record);
        } catch (error) {
          // not poison (an unknown topic): the one-by-one path reports it as an infrastructure error
          if (error instanceof PoisonMessageError)
            outcomes[index] = await this.deadLetterPoison(record, error, traces[index]!);
          continue;
        }
        if (!this.deps.hasHandler(event.eventType)) outcomes[index] = 'ignored';
        else pending.push({ index, event });
      }
      if (pending.length === 0) return outcomes;
      const committed = await this.runChunk(records, pending, traces);
      if (committed) for (const [index, outcome] of committed) outcomes[index] = outcome;
      return outcomes;
    } finally {
      for (const [index, recordTrace] of traces.entries()) recordTrace.end(outcomes[index]);
    }
  }

  /** The chunk's transaction; undefined when it rolled back (see processStreamBatch). */
  private async runChunk(
    records: readonly ConsumedRecord[],
    pending: ReadonlyArray<{ index: number; event: DecodedEvent }>,
    traces: readonly RecordTrace[],
  ): Promise<Map<number, Outcome> | undefined> {
    try {
      return await this.deps.repository.inTransaction(async (uow) => {
        // every key of the chunk locked, its parking read and every event claimed up front: two
        // statements, not three a record
        const { parked, claimed } = await uow.lockAndClaimChunk(
          records[0]!.topic,
          pending.map(({ event }) => event.key),
          pending.map(({ event }) => event.eventId),
        );
        if (pending.some(({ event }) => decideFreshRecord(parked.get(event.key) ?? null) === 'park')) {
          throw new LeaveBatch(); // the claims roll back with the transaction
        }
        const outcomes = new Map<number, Outcome>();
        const members: BatchMember[] = [];
        for (const { index, event } of pending) {
          // delete: a second copy of the same event in this chunk is a duplicate
          if (!claimed.delete(event.eventId.toLowerCase())) {
            outcomes.set(index, 'duplicate');
            continue;
          }
          const record = records[index]!;
          const recordTrace = traces[index]!;
          members.push({
            event,
            manager: uow.manager,
            delivery: this.deliveryInfo(record, coordinatesOf(record), 0),
            inTrace: (work) => recordTrace.inTrace(work),
          });
          outcomes.set(index, 'handled');
        }
        for (const run of runsOfOneType(members)) await this.invokeRun(run);
        return outcomes;
      });
    } catch (error) {
      // LeaveBatch, a handler failure, or the database: the transaction rolled back as a whole.
      this.deps.onBatchFallback?.(error instanceof HandlerFailure ? error.original : error);
      return undefined;
    }
  }

  private async deadLetterPoison(
    record: ConsumedRecord,
    error: PoisonMessageError,
    recordTrace: RecordTrace,
  ): Promise<Outcome | undefined> {
    try {
      await recordTrace.inTrace(() =>
        this.deps.gateway.send(
          dlqTopicName(record.topic, this.deps.group),
          this.poisonRecord(record, coordinatesOf(record), error),
        ),
      );
      return 'poison';
    } catch {
      return undefined; // the broker failed: the one-by-one path retries it in place
    }
  }

  private async invokeRun(run: readonly BatchMember[]): Promise<void> {
    try {
      if (this.deps.invokeRun) await this.deps.invokeRun(run);
      else for (const member of run) await member.inTrace(() => this.deps.invoke(member));
    } catch (error) {
      throw new HandlerFailure(error);
    }
  }

  /** A record from this group's retry topic of `streamTopic`. */
  async processRetryRecord(
    record: ConsumedRecord,
    streamTopic: string,
    controls: RetryControls,
  ): Promise<Outcome> {
    const origin = originOf(record);
    const seq = intHeader(record.headers, MessagingHeaderNames.parkSeq);
    let event: DecodedEvent;
    try {
      event = this.deps.decoder.decode(streamTopic, record);
    } catch (error) {
      if (!(error instanceof PoisonMessageError)) throw error;
      await this.deps.gateway.send(
        dlqTopicName(streamTopic, this.deps.group),
        this.poisonRecord(record, origin, error),
      );
      const key = record.key?.toString('utf8');
      if (seq !== undefined && key) await this.resolveQueued(streamTopic, key, seq);
      return 'poison';
    }
    // Records replayed from the DLQ into the retry topic have no number: they take the normal
    // path (and park behind the key's queue if it has one).
    if (seq === undefined) {
      return this.deps.hasHandler(event.eventType) ? this.runFresh(record, event, origin) : 'ignored';
    }

    const peeked = decideQueuedRecord(await this.deps.repository.peekParking(streamTopic, event.key), seq);
    if (peeked === 'drop') return 'dropped';
    if (peeked === 'requeue') return this.requeue(record);

    if (!this.deps.hasHandler(event.eventType)) {
      await this.resolveQueued(streamTopic, event.key, seq);
      return 'ignored';
    }
    const notBefore = intHeader(record.headers, RetryHeaderNames.notBefore) ?? 0;
    if (notBefore > this.deps.now()) await controls.waitUntil(notBefore);

    const previousFailures = intHeader(record.headers, RetryHeaderNames.attempt) ?? 0;
    const delivery = this.deliveryInfo(record, origin, previousFailures);
    try {
      return await this.deps.repository.inTransaction(async (uow) => {
        const state = await uow.lockParking(streamTopic, event.key);
        const decision = decideQueuedRecord(state, seq);
        if (decision === 'drop') return 'dropped';
        if (decision === 'requeue') return this.requeue(record);
        const firstTime = await uow.claimInbox(event.eventId);
        if (firstTime) await this.invokeHandler({ event, manager: uow.manager, delivery });
        await uow.saveParking(streamTopic, event.key, afterResolved(state, seq));
        return firstTime ? 'handled' : 'duplicate';
      });
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      const failures = previousFailures + 1;
      const step = this.deps.schedule.afterFailure(failures);
      return this.deps.repository.inTransaction(async (uow) => {
        const state = await uow.lockParking(streamTopic, event.key);
        if (step.kind === 'dead-letter') {
          await this.deps.gateway.send(
            dlqTopicName(streamTopic, this.deps.group),
            this.exhaustedRecord(record, origin, failures, error.original),
          );
          await uow.saveParking(streamTopic, event.key, afterResolved(state, seq));
          return 'dead-lettered';
        }
        await this.deps.gateway.send(
          record.topic,
          this.retryRecord(record, origin, seq, failures, this.deps.now() + step.delayMs, error.original),
        );
        await uow.saveParking(streamTopic, event.key, afterHeadFailed(state, seq));
        return 'retry-scheduled';
      });
    }
  }

  /** First handling of an event (or a replayed one): park, dedupe, or run the handler. */
  private async runFresh(
    record: ConsumedRecord,
    event: DecodedEvent,
    origin: RecordCoordinates,
  ): Promise<Outcome> {
    const retryTopic = retryTopicName(origin.topic, this.deps.group);
    const delivery = this.deliveryInfo(record, origin, 0);
    try {
      return await this.deps.repository.inTransaction(async (uow) => {
        const state = await uow.lockParking(origin.topic, event.key);
        if (decideFreshRecord(state) === 'park') {
          const enqueued = afterEnqueued(state);
          await this.deps.gateway.send(retryTopic, this.parkedRecord(record, origin, enqueued.seq));
          await uow.saveParking(origin.topic, event.key, enqueued.state);
          return 'parked';
        }
        if (!(await uow.claimInbox(event.eventId))) return 'duplicate';
        await this.invokeHandler({ event, manager: uow.manager, delivery });
        return 'handled';
      });
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      const step = this.deps.schedule.afterFailure(1);
      return this.deps.repository.inTransaction(async (uow) => {
        const state = await uow.lockParking(origin.topic, event.key);
        if (step.kind === 'dead-letter') {
          await this.deps.gateway.send(
            dlqTopicName(origin.topic, this.deps.group),
            this.exhaustedRecord(record, origin, 1, error.original),
          );
          return 'dead-lettered';
        }
        const enqueued = afterEnqueued(state);
        await this.deps.gateway.send(
          retryTopic,
          this.retryRecord(record, origin, enqueued.seq, 1, this.deps.now() + step.delayMs, error.original),
        );
        await uow.saveParking(origin.topic, event.key, enqueued.state);
        return 'retry-scheduled';
      });
    }
  }

  private async invokeHandler(invocation: HandlerInvocation): Promise<void> {
    try {
      await this.deps.invoke(invocation);
    } catch (error) {
      throw new HandlerFailure(error);
    }
  }

  /** Moves the key's queue past `seq` (a dead-lettered or unhandled record). */
  private async resolveQueued(streamTopic: string, key: string, seq: number): Promise<void> {
    await this.deps.repository.inTransaction(async (uow) => {
      const state = await uow.lockParking(streamTopic, key);
      await uow.saveParking(streamTopic, key, afterResolved(state, seq));
    });
  }

  private async requeue(record: ConsumedRecord): Promise<Outcome> {
    await this.deps.gateway.send(record.topic, {
      key: record.key,
      value: record.value,
      headers: record.headers,
    });
    return 'requeued';
  }

  private deliveryInfo(
    record: ConsumedRecord,
    origin: RecordCoordinates,
    previousFailures: number,
  ): DeliveryInfo {
    return { group: this.deps.group, origin, deliveredFrom: coordinatesOf(record), previousFailures };
  }

  private parkedRecord(record: ConsumedRecord, origin: RecordCoordinates, seq: number): OutgoingRecord {
    return this.outgoing(record, {
      ...originHeaders(origin),
      [RetryHeaderNames.attempt]: '0',
      [RetryHeaderNames.parked]: 'true',
      [RetryHeaderNames.notBefore]: String(this.deps.now()),
      [MessagingHeaderNames.parkSeq]: String(seq),
    });
  }

  private retryRecord(
    record: ConsumedRecord,
    origin: RecordCoordinates,
    seq: number,
    failures: number,
    notBefore: number,
    error: unknown,
  ): OutgoingRecord {
    return this.outgoing(record, {
      ...originHeaders(origin),
      [RetryHeaderNames.attempt]: String(failures),
      [RetryHeaderNames.notBefore]: String(notBefore),
      [RetryHeaderNames.error]: describeError(error),
      [RetryHeaderNames.errorKind]: 'transient',
      [MessagingHeaderNames.parkSeq]: String(seq),
    });
  }

  private exhaustedRecord(
    record: ConsumedRecord,
    origin: RecordCoordinates,
    failures: number,
    error: unknown,
  ): OutgoingRecord {
    return this.outgoing(record, {
      ...originHeaders(origin),
      [RetryHeaderNames.attempt]: String(failures),
      [RetryHeaderNames.error]: describeError(error),
      [RetryHeaderNames.errorKind]: 'exhausted',
      [MessagingHeaderNames.consumerGroup]: this.deps.group,
      [MessagingHeaderNames.deadLetteredAt]: new Date(this.deps.now()).toISOString(),
    });
  }

  private poisonRecord(
    record: ConsumedRecord,
    origin: RecordCoordinates,
    error: PoisonMessageError,
  ): OutgoingRecord {
    return this.outgoing(record, {
      ...originHeaders(origin),
      [RetryHeaderNames.attempt]: '0',
      [RetryHeaderNames.error]: truncate(error.message),
      [RetryHeaderNames.errorKind]: 'malformed',
      [MessagingHeaderNames.errorReason]: error.reason,
      [MessagingHeaderNames.consumerGroup]: this.deps.group,
      [MessagingHeaderNames.deadLetteredAt]: new Date(this.deps.now()).toISOString(),
    });
  }

  /** Producer headers + the new delivery state; the trace continues from the current span. */
  private outgoing(record: ConsumedRecord, deliveryState: StringHeaders): OutgoingRecord {
    const headers = { ...withoutDeliveryState(record.headers), ...deliveryState };
    injectTraceContext(headers);
    return { key: record.key, value: record.value, headers };
  }
}

/**
 * Consecutive members of one event type. Only consecutive ones: a batch handler then sees its
 * records in partition order, and a parcel's events of different types keep their order too.
 */
export function runsOfOneType<T extends { readonly event: DecodedEvent }>(members: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const member of members) {
    const last = runs.at(-1);
    if (last && last[0]!.event.eventType === member.event.eventType) last.push(member);
    else runs.push([member]);
  }
  return runs;
}

function coordinatesOf(record: ConsumedRecord): RecordCoordinates {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

/** Coordinates in the stream topic, from a retry record's headers. */
function originOf(record: ConsumedRecord): RecordCoordinates {
  const topic = record.headers[RetryHeaderNames.originalTopic];
  const partition = intHeader(record.headers, RetryHeaderNames.originalPartition);
  const offset = record.headers[RetryHeaderNames.originalOffset];
  return topic && partition !== undefined && offset ? { topic, partition, offset } : coordinatesOf(record);
}

function originHeaders(origin: RecordCoordinates): StringHeaders {
  return {
    [RetryHeaderNames.originalTopic]: origin.topic,
    [RetryHeaderNames.originalPartition]: String(origin.partition),
    [RetryHeaderNames.originalOffset]: origin.offset,
  };
}

function intHeader(headers: StringHeaders, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** Error text for headers and logs. Handlers must not put personal data into error messages
 * (DESIGN.md, Personal data); the length is capped so a stack-sized message cannot bloat records. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return truncate(`${error.name}: ${error.message}`);
  if (typeof error === 'string') return truncate(error);
  try {
    return truncate(JSON.stringify(error));
  } catch {
    return 'unknown error';
  }
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_HEADER_LENGTH ? `${text.slice(0, MAX_ERROR_HEADER_LENGTH)}…` : text;
}
