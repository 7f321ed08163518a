import { Logger, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { retryTopicName } from '@portico/contracts';
import type { Consumer, EachBatchPayload, EachMessagePayload, KafkaMessage, Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { HeaderNames, normaliseHeaders } from '../headers/record-headers';
import { createIdempotentProducer, createKafka, type KafkaConnectionOptions } from '../kafka/kafka-client';
import { EventDecoder, type TopicSchema } from '../serde/event-decoder';
import { extractTraceContext, messagingTracer } from '../tracing/trace-headers';
import { BackoffSchedule } from './backoff-schedule';
import type { PlanMethod } from '../persistence/planner-settings';
import { PostgresConsumerRepository } from './consumer.repository';
import { createConsumerMetrics, type ConsumerMetrics } from './consumer-metrics';
import {
  DeliveryProcessor,
  describeError,
  type ConsumedRecord,
  type BatchMember,
  type HandlerInvocation,
  type Outcome,
  type RecordTrace,
} from './delivery-processor';
import { batchPatternOf } from './event-consumer.decorator';
import { EventBatchContext, EventContext } from './event-context';
import { DeliveryAbandonedError, sleep, sleepUntil } from './interruptible-sleep';
import { OffsetCommitter } from './offset-committer';
import { KafkaRecordGateway } from './record-gateway';

/** Transport id for `@EventPattern(type, KAFKA_EVENTS)` in hybrid applications. */
export const KAFKA_EVENTS = Symbol('portico-kafka-events');

export interface KafkaEventTransportOptions {
  readonly kafka: KafkaConnectionOptions | Kafka;
  /** Consumer group id; also the inbox/parking consumer name and part of retry/DLQ topic names. */
  readonly group: string;
  readonly dataSource: DataSource;
  /** Stream topics to consume and their value schemas (contracts' TopicSpec fits). */
  readonly topics: readonly TopicSchema[];
  /** Wait before each retry; after the last one the record is dead-lettered. */
  readonly retryDelaysMs?: readonly number[];
  /** Where a group without committed offsets starts. Default true: a new consumer must not miss
   * what was produced while it was being deployed. */
  readonly fromBeginning?: boolean;
  /** Partitions processed in parallel (each uses one database connection). Order is per partition. */
  readonly concurrency?: { readonly stream?: number; readonly retry?: number };
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /**
   * Stream records of one partition handled in one transaction when nothing goes wrong (default
   * 50; 1 turns it off). See DeliveryProcessor.processStreamBatch.
   */
  readonly streamBatchSize?: number;
  /**
   * Plan methods (Postgres `enable_*`) every transaction of this consumer runs without, a chunk's
   * or a single record's, from its first statement to its commit (default none). For a consumer
   * whose statements are all key probes that must not become scans of a table whose statistics
   * lag its rows; a handler's withPlanMethodsOff of the same methods then costs no statement. With
   * all of WHOLE_TABLE_PLAN_METHODS the transactions run generic plans, and queryNamed's
   * statements are planned once per connection (ADR 0016).
   */
  readonly planMethodsOff?: readonly PlanMethod[];
  /** Finished offsets are committed in the background at most this often (default 200 ms). */
  readonly offsetCommitIntervalMs?: number;
  /** How long close() waits for records in flight (default 30 s). */
  readonly shutdownGraceMs?: number;
  readonly maxWaitTimeInMs?: number;
  /** Bytes a fetch waits for, up to maxWaitTimeInMs (kafkajs minBytes; default 1: answer at once). */
  readonly minBytes?: number;
  readonly metricsRegistry?: Registry;
  readonly logger?: LoggerService;
  readonly now?: () => number;
}

type Lane = 'stream' | 'retry';

/**
 * @nestjs/microservices transport over kafkajs: `app.connectMicroservice({ strategy })`.
 *
 * Two consumers: `<group>` reads the stream topics, `<group>.retry` reads `<topic>.retry.<group>`
 * (a separate group because its partitions sleep until a record's not-before). Offsets are
 * committed manually, after the record's transaction committed or after it was handed to the
 * retry/DLQ topic: marked per record, sent in the background for all partitions at once
 * (OffsetCommitter), and flushed on close.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  override transportId = KAFKA_EVENTS;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly streamConsumer: Consumer;
  private readonly retryConsumer: Consumer;
  private readonly committers = new Map<Lane, OffsetCommitter>();
  private readonly processor: DeliveryProcessor;
  private readonly metrics: ConsumerMetrics;
  private readonly log: LoggerService;
  private readonly now: () => number;
  private readonly streamTopicOfRetry = new Map<string, string>();
  private readonly closing = new AbortController();
  private readonly joined: Promise<void>;
  private rejectJoined?: (error: Error) => void;
  private closed?: Promise<void>;
  private inFlight = 0;
  /** Handlers by event type, looked up once: Nest's lookup parses the pattern on every call. */
  private readonly handlerCache = new Map<string, EventHandlers>();

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
    if (options.topics.length === 0) throw new Error('KafkaEventTransport needs at least one topic');
    this.log = options.logger ?? new Logger(`KafkaEventTransport(${options.group})`);
    this.now = options.now ?? Date.now;
    this.kafka = createKafka(options.kafka);
    this.producer = createIdempotentProducer(this.kafka);
    const consumerConfig = {
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 1_000,
      minBytes: options.minBytes ?? 1,
      retry: { initialRetryTime: 200, retries: 10 },
    };
    this.streamConsumer = this.kafka.consumer({ ...consumerConfig, groupId: options.group });
    this.retryConsumer = this.kafka.consumer({ ...consumerConfig, groupId: `${options.group}.retry` });
    for (const topic of options.topics) {
      this.streamTopicOfRetry.set(retryTopicName(topic.name, options.group), topic.name);
    }
    this.metrics = createConsumerMetrics(options.metricsRegistry ?? new Registry());
    this.processor = new DeliveryProcessor({
      group: options.group,
      decoder: new EventDecoder(options.topics),
      repository: new PostgresConsumerRepository(options.dataSource, options.group, options.planMethodsOff),
      gateway: new KafkaRecordGateway(this.producer),
      schedule: new BackoffSchedule(options.retryDelaysMs),
      hasHandler: (eventType) => this.handlersOf(eventType).any,
      invoke: (invocation) => this.invokeHandler(invocation),
      invokeRun: (run) => this.invokeRun(run),
      onBatchFallback: (reason) => {
        this.metrics.batchFallbacks.inc({ group: options.group });
        this.log.debug?.(`stream chunk went record by record: ${describeError(reason)}`);
      },
      now: this.now,
    });
    this.joined = this.whenBothGroupsJoined();
    this.joined.catch(() => undefined); // observed through ready()
  }

  /** Resolves once both consumers have joined their groups and received partitions. Nest's
   * listen() resolves earlier, while the join is still under way. */
  ready(timeoutMs = 60_000): Promise<void> {
    return Promise.race([
      this.joined,
      new Promise<void>((_, reject) =>
        setTimeout(
          () => reject(new Error(`consumer group ${this.options.group} did not join within ${timeoutMs} ms`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.producer.connect();
      await Promise.all([this.streamConsumer.connect(), this.retryConsumer.connect()]);
      const fromBeginning = this.options.fromBeginning ?? true;
      await this.streamConsumer.subscribe({ topics: this.options.topics.map((t) => t.name), fromBeginning });
      // Retry topics always from the beginning: what waits there must never be skipped.
      await this.retryConsumer.subscribe({
        topics: [...this.streamTopicOfRetry.keys()],
        fromBeginning: true,
      });
      await this.streamConsumer.run({
        autoCommit: false,
        // offsets are resolved record by record below: a batch cut short must be fetched again
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.concurrency?.stream ?? 2,
        eachBatch: (payload) => this.consumeBatch(payload),
      });
      await this.retryConsumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.options.concurrency?.retry ?? 4,
        eachMessage: (payload) => this.consume('retry', this.retryConsumer, payload),
      });
      callback();
    } catch (error) {
      this.rejectJoined?.(error as Error);
      callback(error);
    }
  }

  /** Stops fetching, lets the record in flight finish and commit, then disconnects. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      this.rejectJoined?.(new Error('transport closed'));
      // Pause first and let the records in flight finish and commit while the consumers still
      // run: kafkajs silently drops commitOffsets() once stop() has begun.
      this.pauseAll();
      await this.inFlightDrained(this.options.shutdownGraceMs ?? 30_000);
      // the finished records' offsets, before kafkajs stops accepting commits
      await Promise.allSettled([...this.committers.values()].map((c) => c.flush()));
      await Promise.allSettled([this.streamConsumer.disconnect(), this.retryConsumer.disconnect()]);
      await this.producer.disconnect();
    })();
    return this.closed;
  }

  private pauseAll(): void {
    try {
      this.streamConsumer.pause(this.options.topics.map((t) => ({ topic: t.name })));
      this.retryConsumer.pause([...this.streamTopicOfRetry.keys()].map((topic) => ({ topic })));
    } catch {
      // not running (listen failed or never called): nothing to pause
    }
  }

  private async inFlightDrained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(20);
    if (this.inFlight > 0)
      this.log.warn(`closing with ${this.inFlight} record(s) unfinished; they will be redelivered`);
  }

  /** kafkajs instrumentation events of the stream consumer (e.g. 'consumer.crash'). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Server's signature
  on(event: string, callback: Function): void {
    this.streamConsumer.on(event as never, callback as never);
  }

  unwrap<T>(): T {
    return {
      kafka: this.kafka,
      producer: this.producer,
      streamConsumer: this.streamConsumer,
      retryConsumer: this.retryConsumer,
    } as T;
  }

  private whenBothGroupsJoined(): Promise<void> {
    const joinOf = (consumer: Consumer) =>
      new Promise<void>((resolve) => {
        const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
          remove();
          resolve();
        });
      });
    return new Promise<void>((resolve, reject) => {
      this.rejectJoined = reject;
      Promise.all([joinOf(this.streamConsumer), joinOf(this.retryConsumer)]).then(() => resolve(), reject);
    });
  }

  private async consume(lane: Lane, consumer: Consumer, payload: EachMessagePayload): Promise<void> {
    // Closing: start nothing new. Returning without a commit leaves the record to be delivered
    // again (kafkajs fetches no more after the pause, and autoCommit is off).
    if (this.closing.signal.aborted) return;
    this.inFlight += 1;
    try {
      await this.consumeOne(lane, consumer, payload);
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * A fetched batch of one stream partition, in chunks: each chunk first as one transaction
   * (processStreamBatch); the records it could not finish go one by one, in order, exactly as
   * eachMessage would take them. Offsets are resolved only for what finished, so a batch cut short
   * by a rebalance or a close is fetched again.
   */
  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    if (this.closing.signal.aborted) return;
    this.inFlight += 1;
    try {
      const { topic, partition } = batch;
      const size = Math.max(1, this.options.streamBatchSize ?? 50);
      for (let start = 0; start < batch.messages.length; start += size) {
        if (this.closing.signal.aborted || !isRunning() || isStale()) return;
        const messages = batch.messages.slice(start, start + size);
        // A fetched batch of one takes the chunk's path too (streamBatchSize 1 turns chunks off): two
        // statements before the handler where the single-record path needs three, and the
        // consumer's planMethodsOff. A consumer that keeps up fetches many batches of one.
        const outcomes = size > 1 ? await this.consumeTogether(topic, partition, messages) : [undefined];
        for (const [i, message] of messages.entries()) {
          if (outcomes[i] === undefined) {
            if (this.closing.signal.aborted || isStale()) return;
            await this.consumeOne('stream', this.streamConsumer, { topic, partition, message, heartbeat });
            // consumeOne returns without finishing only when closing: then nothing is resolved
            if (this.closing.signal.aborted) return;
          } else {
            this.committerOf('stream', this.streamConsumer).mark(topic, partition, message.offset);
          }
          resolveOffset(message.offset);
        }
        await heartbeat();
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * One chunk through processStreamBatch, under a `process <topic> batch` span linked to every
   * record's trace; each record also gets its own consumer span in its producer's trace (so a
   * parcel's trace stays one trace), linked back to the batch span.
   * @returns per record, its outcome or undefined (it goes one by one).
   */
  private async consumeTogether(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<Array<Outcome | undefined>> {
    const records = messages.map((message) => recordOf(topic, partition, message));
    const startedAt = process.hrtime.bigint();
    const batchSpan = messagingTracer().startSpan(`process ${topic} batch`, {
      kind: SpanKind.CONSUMER,
      root: true,
      attributes: {
        ...this.spanAttributes(topic, partition),
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': records.length,
      },
      links: records.flatMap((record) => {
        const linked = trace.getSpanContext(extractTraceContext(record.headers));
        return linked ? [{ context: linked }] : [];
      }),
    });
    // the chunk's own statements (BEGIN, locks, inbox, COMMIT) become children of the batch span
    const outcomes = await context.with(trace.setSpan(ROOT_CONTEXT, batchSpan), () =>
      this.processor.processStreamBatch(records, {
        open: (record) => this.openRecordSpan(record, topic, batchSpan.spanContext()),
      }),
    );
    const done = outcomes.filter((o): o is Outcome => o !== undefined);
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9 / records.length;
    for (const outcome of done) {
      this.metrics.records.inc({ group: this.options.group, topic, outcome });
      this.metrics.processing.observe({ group: this.options.group, topic }, seconds);
    }
    this.metrics.batchRecords.observe({ group: this.options.group, topic }, done.length);
    batchSpan.setAttribute('portico.batch.finished', done.length);
    batchSpan.setAttribute('portico.batch.one_by_one', records.length - done.length);
    batchSpan.end();
    return outcomes;
  }

  private spanAttributes(topic: string, partition: number) {
    return {
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': this.options.group,
      'messaging.destination.partition.id': String(partition),
    };
  }

  private async consumeOne(
    lane: Lane,
    consumer: Consumer,
    payload: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>,
  ): Promise<void> {
    const { topic, partition, message, heartbeat } = payload;
    const record = recordOf(topic, partition, message);
    const streamTopic = lane === 'stream' ? topic : this.streamTopicOfRetry.get(topic)!;
    const startedAt = process.hrtime.bigint();
    let outcome: Outcome;
    try {
      outcome = await this.processUntilDone(lane, record, streamTopic, heartbeat);
    } catch (error) {
      if (!(error instanceof DeliveryAbandonedError)) throw error;
      // Closing: return without committing. kafkajs fetches nothing more after stop(), and with
      // autoCommit off the offset stays where it was, so the record is delivered again later.
      if (this.closing.signal.aborted) return;
      // A rebalance seen by our heartbeat: hand kafkajs its own error so it re-joins the group.
      throw error.cause ?? error;
    }
    this.metrics.records.inc({ group: this.options.group, topic: streamTopic, outcome });
    this.metrics.processing.observe(
      { group: this.options.group, topic: streamTopic },
      Number(process.hrtime.bigint() - startedAt) / 1e9,
    );
    this.committerOf(lane, consumer).mark(topic, partition, message.offset);
  }

  private committerOf(lane: Lane, consumer: Consumer): OffsetCommitter {
    let committer = this.committers.get(lane);
    if (!committer) {
      committer = new OffsetCommitter(consumer, this.options.offsetCommitIntervalMs ?? 200, this.log);
      this.committers.set(lane, committer);
    }
    return committer;
  }

  /** Retries infrastructure failures (database or broker down) on the same record, in place, with
   * back-off: skipping it would lose it, sending it to retry would need the broker that failed. */
  private async processUntilDone(
    lane: Lane,
    record: ConsumedRecord,
    streamTopic: string,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    for (let failures = 0; ;) {
      if (this.closing.signal.aborted) throw new DeliveryAbandonedError('consumer is closing');
      try {
        return await this.traced(record, streamTopic, () =>
          lane === 'stream'
            ? this.processor.processStreamRecord(record)
            : this.processor.processRetryRecord(record, streamTopic, {
                waitUntil: (epochMs) =>
                  sleepUntil(epochMs, { signal: this.closing.signal, heartbeat, now: this.now }),
              }),
        );
      } catch (error) {
        if (error instanceof DeliveryAbandonedError) throw error;
        failures += 1;
        this.metrics.infrastructureErrors.inc({ group: this.options.group });
        const delay = Math.min(200 * 2 ** (failures - 1), 10_000);
        this.log.error(
          `${record.topic}[${record.partition}]@${record.offset} not finished (${describeError(error)}); retrying in ${delay} ms`,
        );
        await sleep(delay, this.closing.signal);
        try {
          await heartbeat();
        } catch (heartbeatError) {
          throw new DeliveryAbandonedError('heartbeat failed (rebalance?)', { cause: heartbeatError });
        }
      }
    }
  }

  /** A consumer span, child of the producer's context from the headers, around the whole record. */
  private traced(
    record: ConsumedRecord,
    streamTopic: string,
    work: () => Promise<Outcome>,
  ): Promise<Outcome> {
    const span = this.openRecordSpan(record, streamTopic);
    return span.inTrace(async () => {
      try {
        const outcome = await work();
        span.end(outcome);
        return outcome;
      } catch (error) {
        span.fail(error);
        throw error;
      }
    });
  }

  /** The record's `process <topic>` span in its producer's trace (linked to the batch, if any). */
  private openRecordSpan(
    record: ConsumedRecord,
    streamTopic: string,
    batch?: SpanContext,
  ): RecordTrace & { fail(error: unknown): void } {
    const parent = extractTraceContext(record.headers);
    const span = messagingTracer().startSpan(
      `process ${streamTopic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...this.spanAttributes(record.topic, record.partition),
          'messaging.operation.type': 'process',
          'messaging.kafka.offset': record.offset,
          'messaging.message.id': record.headers[HeaderNames.eventId] ?? '',
          'portico.event_type': record.headers[HeaderNames.eventType] ?? '',
        },
        ...(batch ? { links: [{ context: batch }] } : {}),
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    return {
      inTrace: (work) => context.with(active, work),
      end: (outcome) => {
        // undefined: rolled back with its chunk; the one-by-one path gives it a span of its own
        span.setAttribute('portico.outcome', outcome ?? 'one-by-one');
        span.end();
      },
      fail: (error) => {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
        span.end();
      },
    };
  }

  /** Per-record and batch handlers of an event type, looked up once (handlers never change after listen). */
  private handlersOf(eventType: string): EventHandlers {
    let handlers = this.handlerCache.get(eventType);
    if (!handlers) {
      const single = this.getHandlerByPattern(eventType);
      const batch = this.getHandlerByPattern(batchPatternOf(eventType));
      handlers = { single, batch, any: single !== null || batch !== null };
      this.handlerCache.set(eventType, handlers);
    }
    return handlers;
  }

  /** One record (the one-by-one path): its handlers, and batch handlers with a batch of one. */
  private invokeHandler(invocation: HandlerInvocation): Promise<void> {
    return this.invokeRun([{ ...invocation, inTrace: (work) => work() }]);
  }

  /**
   * A run of records of one event type: first every `@EventPattern` handler record by record (in
   * its record's trace), then every `@EventBatchPattern` handler with the whole run. Nest chains
   * the handlers of one pattern through `next` (two features of a service may react to the same
   * event, e.g. outreach and outbound webhooks); all run in this one transaction, in registration
   * order: their effects commit or retry together.
   */
  private async invokeRun(run: readonly BatchMember[]): Promise<void> {
    const { single, batch } = this.handlersOf(run[0]!.event.eventType);
    if (!single && !batch) throw new Error(`No handler for ${run[0]!.event.eventType}`);
    const contexts = run.map(
      (member) => new EventContext(member.event, member.manager, member.delivery, member.inTrace),
    );
    try {
      for (const [i, member] of run.entries()) {
        for (let h = single ?? undefined; h; h = h.next) {
          await member.inTrace(() => this.runHandler(h!, member.event.event, contexts[i]!));
        }
      }
      if (batch) {
        const events = run.map((member) => member.event.event);
        const batchContext = new EventBatchContext(contexts, run[0]!.manager);
        for (let h: MessageHandler | undefined = batch; h; h = h.next) {
          await this.runHandler(h, events, batchContext);
        }
      }
    } catch (error) {
      trace
        .getActiveSpan()
        ?.recordException(error instanceof Error ? error : new Error(describeError(error)));
      throw error;
    }
  }

  private async runHandler(handler: MessageHandler, data: unknown, ctx: unknown): Promise<void> {
    const result = await handler(data, ctx);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }
}

interface EventHandlers {
  readonly single: MessageHandler | null;
  readonly batch: MessageHandler | null;
  readonly any: boolean;
}

function recordOf(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: normaliseHeaders(message.headers),
  };
}
