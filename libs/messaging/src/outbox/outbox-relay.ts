import { Logger, type LoggerService } from '@nestjs/common';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Kafka, Message, Producer, ProducerBatch } from 'kafkajs';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { HeaderNames } from '../headers/record-headers';
import {
  ACKS_ALL,
  createIdempotentProducer,
  createKafka,
  resetAfterFailure,
  type KafkaConnectionOptions,
} from '../kafka/kafka-client';
import { unwrapInstrumented } from '../kafka/uninstrumented';
import { extractTraceContext, injectTraceContext, messagingTracer } from '../tracing/trace-headers';
import { createOutboxMetrics, type OutboxMetrics } from './outbox-metrics';
import { OutboxRepository, type AfterPublish, type OutboxRow } from './outbox.repository';
import { OutboxWakeup } from './outbox-wakeup';

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  /** Connection settings, or a client to share. */
  readonly kafka: KafkaConnectionOptions | Kafka;
  /** Rows per transaction (and per produce request). */
  readonly batchSize?: number;
  /** Idle polling backs off from min to max; a NOTIFY wakes the relay at once anyway. */
  readonly idlePollMs?: { readonly min: number; readonly max: number };
  /** Delete rows once published (default) or keep them with published_at for `retainPublishedMs`. */
  readonly afterPublish?: AfterPublish;
  readonly retainPublishedMs?: number;
  /** Upper bounds for one relay transaction (see publishBatch); defaults 10 batches, 1 s. */
  readonly maxBatchesPerTransaction?: number;
  readonly maxTransactionMs?: number;
  /** Back-off after a failed batch (the transaction rolled back, the rows wait). */
  readonly errorBackoffMs?: { readonly min: number; readonly max: number };
  readonly metricsRegistry?: Registry;
  readonly logger?: LoggerService;
}

/**
 * Publishes committed outbox rows to Kafka. One loop iteration is one transaction: lock free lanes,
 * select the oldest rows FOR UPDATE SKIP LOCKED, send them with the idempotent producer (acks=-1),
 * delete or mark them, commit. A failed send rolls the transaction back and the rows are retried
 * after a back-off; a crash after the send but before the commit republishes the batch (same
 * event ids, so consumers' inboxes drop the copies): at-least-once, never lost.
 */
export class OutboxRelay {
  private readonly repository: OutboxRepository;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly wakeup: OutboxWakeup;
  private readonly metrics: OutboxMetrics;
  private readonly logger: LoggerService;
  private readonly batchSize: number;
  private readonly idlePoll: { min: number; max: number };
  private readonly errorBackoff: { min: number; max: number };
  private readonly afterPublish: AfterPublish;
  private readonly maxBatchesPerTransaction: number;
  private readonly maxTransactionMs: number;
  private loop?: Promise<void>;
  private stopping = false;
  private lastPurge = 0;
  private producerFailed = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.repository = new OutboxRepository(options.dataSource);
    this.kafka = createKafka(options.kafka);
    this.producer = createIdempotentProducer(this.kafka);
    this.logger = options.logger ?? new Logger(OutboxRelay.name);
    this.wakeup = new OutboxWakeup(options.dataSource, (error) =>
      this.logger.warn(`outbox LISTEN connection failed, polling until it is back: ${error.message}`),
    );
    this.metrics = createOutboxMetrics(options.metricsRegistry ?? new Registry(), () =>
      this.repository.countBacklog(),
    );
    this.batchSize = options.batchSize ?? 1000;
    this.idlePoll = options.idlePollMs ?? { min: 20, max: 1000 };
    this.errorBackoff = options.errorBackoffMs ?? { min: 200, max: 10_000 };
    this.afterPublish = options.afterPublish ?? 'delete';
    this.maxBatchesPerTransaction = options.maxBatchesPerTransaction ?? 10;
    this.maxTransactionMs = options.maxTransactionMs ?? 1_000;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    await this.producer.connect();
    await this.wakeup.listen();
    this.loop = this.run();
  }

  /** Finishes the batch in flight (committing it), then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.wakeup.close();
    await this.loop;
    this.loop = undefined;
    await this.producer.disconnect();
  }

  /**
   * Publishes what is pending in one transaction and returns how many rows it published (0 when
   * there is nothing, or when other relays hold every lane). Needs a connected producer (start()
   * or connectProducer()).
   *
   * Pipelined: while batch k is being sent, the same transaction claims batch k+1 on its
   * connection, so Postgres and Kafka work at the same time. Batches are still sent strictly one
   * after another (per-key order), and the transaction commits only after the last one was
   * acknowledged. A transaction covers at most `maxBatchesPerTransaction` batches, which bounds
   * what a crash can make the relay send twice.
   */
  async publishBatch(): Promise<number> {
    const published = await this.repository.inClaimTransaction(async (manager) => {
      const done: OutboxRow[] = [];
      const startedAt = Date.now();
      let batch = await this.repository.claimBatch(manager, this.batchSize, this.afterPublish);
      const lanes = [...new Set(batch.map((row) => row.lane))];
      while (batch.length > 0) {
        const claimMore =
          batch.length === this.batchSize &&
          done.length + batch.length < this.batchSize * this.maxBatchesPerTransaction &&
          Date.now() - startedAt < this.maxTransactionMs;
        const sending = this.send(batch);
        const claiming = claimMore
          ? this.repository.claimBatch(manager, this.batchSize, this.afterPublish, {
              afterId: batch[batch.length - 1]!.id,
              lanes,
            })
          : Promise.resolve([]);
        // settle both before deciding, so no query is left running when we roll back
        const [sent, next] = await Promise.allSettled([sending, claiming]);
        if (sent.status === 'rejected') throw sent.reason;
        if (next.status === 'rejected') throw next.reason;
        done.push(...batch);
        batch = next.value;
      }
      return done;
    });
    if (published.length > 0) this.recordPublished(published);
    return published.length;
  }

  async connectProducer(): Promise<void> {
    await this.producer.connect();
  }

  private async run(): Promise<void> {
    let idleDelay = this.idlePoll.min;
    let failures = 0;
    while (!this.stopping) {
      try {
        const count = await this.publishBatch();
        failures = 0;
        if (count > 0) {
          idleDelay = this.idlePoll.min;
          continue; // more may be waiting: only an empty claim lets the relay rest
        }
        await this.purgeIfDue();
        await this.wakeup.wait(idleDelay);
        idleDelay = Math.min(idleDelay * 2, this.idlePoll.max);
      } catch (error) {
        failures += 1;
        this.metrics.publishErrors.inc();
        const delay = Math.min(this.errorBackoff.min * 2 ** (failures - 1), this.errorBackoff.max);
        this.logger.error(`outbox batch rolled back, retrying in ${delay} ms: ${(error as Error).message}`);
        await this.wakeup.wait(delay);
        if (this.producerFailed && !this.stopping) {
          await resetAfterFailure(this.producer).then(
            () => (this.producerFailed = false),
            (resetError: Error) => this.logger.warn(`producer reconnect failed: ${resetError.message}`),
          );
        }
      }
    }
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const tracer = messagingTracer();
    const spans: Span[] = [];
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      // The stored context is the transaction that wrote the row: the producer span continues
      // that trace, and its own context goes out in the record's headers.
      const headers = { ...row.headers };
      const parent = extractTraceContext(headers);
      const span = tracer.startSpan(
        `publish ${row.topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': row.topic,
            'messaging.message.id': headers[HeaderNames.eventId] ?? '',
          },
        },
        parent,
      );
      spans.push(span);
      injectTraceContext(headers, trace.setSpan(parent, span));
      let messages = byTopic.get(row.topic);
      if (!messages) byTopic.set(row.topic, (messages = []));
      messages.push({ key: row.key, value: row.value, headers });
    }
    const batch: ProducerBatch = {
      acks: ACKS_ALL,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    };
    const sendBatch = unwrapInstrumented(this.producer.sendBatch);
    try {
      await sendBatch.call(this.producer, batch);
    } catch (error) {
      this.producerFailed = true;
      for (const span of spans) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      throw error;
    }
    for (const span of spans) span.end();
  }

  private recordPublished(rows: OutboxRow[]): void {
    const now = Date.now();
    this.metrics.batchSize.observe(rows.length);
    const perTopic = new Map<string, number>();
    for (const row of rows) {
      perTopic.set(row.topic, (perTopic.get(row.topic) ?? 0) + 1);
      this.metrics.publishLatency.observe({ topic: row.topic }, (now - row.createdAtMs) / 1000);
    }
    for (const [topic, count] of perTopic) this.metrics.published.inc({ topic }, count);
  }

  private async purgeIfDue(): Promise<void> {
    if (this.afterPublish !== 'mark') return;
    const now = Date.now();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    const retain = this.options.retainPublishedMs ?? 24 * 60 * 60 * 1000;
    await this.repository.purgePublished(new Date(now - retain));
  }
}
