import { context, trace } from '@opentelemetry/api';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HeaderNames, RetryHeaderNames } from '@portico/contracts';
import { installTestTracing } from '@portico/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { replayDeadLetters } from '../cli/replay-dlq';
import { MessagingHeaderNames } from '../headers/record-headers';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxWriter } from '../outbox/outbox-writer';
import { encodeEvent } from '../serde/event-encoder';
import {
  createTestDatabase,
  createTopics,
  readTopic,
  testKafka,
  uniqueStreamTopic,
  useTestKafka,
  uniqueSuffix,
  waitFor,
  type TestDatabase,
} from '../test-support/integration';
import { startTestConsumer } from '../test-support/test-consumer-app';
import { HandlerBehaviour, TrackingConsumer } from '../test-support/tracking-consumer';
import { TRACKING_SCHEMA, trackingEvent } from '../test-support/tracking-events';
import { consumerTopicSpecs } from '../topics/ensure-topics';
import { KafkaEventTransport } from './kafka-event.transport';

// The test broker, found in beforeAll (objects below hold this very array).
const KAFKA_BROKERS: string[] = [];

const GROUP = `clearance-${uniqueSuffix()}`;
const kafka = { brokers: KAFKA_BROKERS, clientId: 'transport-int' };

describe('KafkaEventTransport (real Kafka + Postgres, Nest controller)', () => {
  const tracing = installTestTracing();
  const topic = uniqueStreamTopic();
  const dlqTopic = `${topic}.dlq.${GROUP}`;
  const behaviour = new HandlerBehaviour();
  const registry = new Registry();
  const writer = new OutboxWriter();
  let db: TestDatabase;
  let app: INestMicroservice;
  let transport: KafkaEventTransport;
  let relay: OutboxRelay;
  let producer: Producer;

  beforeAll(async () => {
    KAFKA_BROKERS.push(...(await useTestKafka()));
    db = await createTestDatabase('transport_int');
    const stream = { name: topic, partitions: 3 };
    await createTopics([stream, ...consumerTopicSpecs(stream, GROUP)]);
    transport = new KafkaEventTransport({
      kafka,
      group: GROUP,
      dataSource: db.dataSource,
      topics: [{ name: topic, valueSchema: TRACKING_SCHEMA }],
      retryDelaysMs: [300, 300],
      metricsRegistry: registry,
      maxWaitTimeInMs: 200,
    });
    const moduleRef = await Test.createTestingModule({
      controllers: [TrackingConsumer],
      providers: [{ provide: HandlerBehaviour, useValue: behaviour }],
    }).compile();
    app = moduleRef.createNestMicroservice({ strategy: transport, logger: ['error', 'warn'] });
    await app.listen();
    await transport.ready();
    relay = new OutboxRelay({ dataSource: db.dataSource, kafka });
    await relay.start();
    producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await relay?.stop();
    await app?.close();
    tracing.uninstall();
    await db?.drop();
  });

  async function appendEvents(events: Array<{ key: string; label: string }>): Promise<string[]> {
    return db.dataSource.transaction(async (manager) => {
      const appended = await writer.appendMany(
        manager,
        events.map((e) => ({
          topic,
          key: e.key,
          tenantId: 'tenant-1',
          schema: TRACKING_SCHEMA,
          message: trackingEvent(e.key, { sourceEventId: e.label }),
        })),
      );
      return appended.map((a) => a.eventId);
    });
  }

  async function effects(
    parcelId: string,
  ): Promise<Array<{ label: string; event_id: string; trace_id: string; previous_failures: number }>> {
    return db.dataSource.query(
      `SELECT label, event_id, trace_id, previous_failures FROM side_effects WHERE parcel_id = $1 ORDER BY id`,
      [parcelId],
    );
  }

  async function outcomeCount(outcome: string): Promise<number> {
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'portico_consumer_records_total',
    );
    return (metric?.values ?? [])
      .filter((v) => v.labels.outcome === outcome)
      .reduce((sum, v) => sum + v.value, 0);
  }

  it('outbox -> relay -> Kafka -> handler -> inbox, in one trace', async () => {
    const requestSpan = trace.getTracer('test').startSpan('POST /webhooks/sf-express');
    const [eventId] = await context.with(trace.setSpan(context.active(), requestSpan), () =>
      appendEvents([{ key: 'prc_happy', label: 'happy' }]),
    );
    requestSpan.end();
    const [effect] = await waitFor(async () => {
      const rows = await effects('prc_happy');
      return rows.length > 0 && rows;
    });
    expect(effect).toMatchObject({
      label: 'happy',
      event_id: eventId,
      trace_id: requestSpan.spanContext().traceId,
    });
    const inbox = await db.dataSource.query(`SELECT consumer FROM inbox WHERE event_id = $1`, [eventId]);
    expect(inbox).toEqual([{ consumer: GROUP }]);
    const spans = tracing.exporter
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === requestSpan.spanContext().traceId);
    const publish = spans.find((s) => s.name === `publish ${topic}`);
    const process = spans.find((s) => s.name === `process ${topic}`);
    expect(publish?.parentSpanContext?.spanId).toBe(requestSpan.spanContext().spanId);
    expect(process?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    expect(process?.attributes['portico.outcome']).toBe('handled');
  });

  it('runs a redelivered record’s side effect once', async () => {
    const record = encodeEvent({
      schema: TRACKING_SCHEMA,
      message: trackingEvent('prc_dup', { sourceEventId: 'dup' }),
      key: 'prc_dup',
      tenantId: 't',
    });
    const duplicatesBefore = await outcomeCount('duplicate');
    const message = { key: record.key, value: Buffer.from(record.value), headers: record.headers };
    await producer.send({ topic, messages: [message] });
    await producer.send({ topic, messages: [message] });
    await waitFor(async () => (await outcomeCount('duplicate')) > duplicatesBefore, 20_000, 'the duplicate');
    expect((await effects('prc_dup')).map((e) => e.label)).toEqual(['dup']);
  });

  it('retries a failed handler and keeps later events of the key parked behind it, in order', async () => {
    behaviour.failUntilRetried('late-1', 2);
    await appendEvents([
      { key: 'prc_order', label: 'late-1' },
      { key: 'prc_order', label: 'late-2' },
      { key: 'prc_order', label: 'late-3' },
      { key: 'prc_free', label: 'unrelated' },
    ]);
    await waitFor(async () => (await effects('prc_order')).length === 3, 30_000, 'three effects');
    const rows = await effects('prc_order');
    expect(rows.map((r) => r.label)).toEqual(['late-1', 'late-2', 'late-3']);
    expect(rows[0]!.previous_failures).toBe(2);
    // the failed attempts rolled back their writes; the parked ones never ran early. late-1 ran
    // three times (first delivery, two retries), four when its first delivery came in a batch
    // that fell back to one by one (the batch's attempt counts no failure).
    const lateAttempts = behaviour.attempts.filter((l) => l.startsWith('late-'));
    expect(lateAttempts.slice(-2)).toEqual(['late-2', 'late-3']);
    expect(lateAttempts.slice(0, -2).every((l) => l === 'late-1')).toBe(true);
    expect(lateAttempts.length - 2).toBeGreaterThanOrEqual(3);
    expect(lateAttempts.length - 2).toBeLessThanOrEqual(4);
    expect((await effects('prc_free')).map((r) => r.label)).toEqual(['unrelated']);
    await waitFor(
      async () =>
        (await db.dataSource.query(`SELECT count(*)::int AS n FROM consumer_key_parking`))[0].n === 0,
      10_000,
      'parking to drain',
    );
  }, 60_000);

  it('sends poison to the DLQ with a reason and keeps consuming', async () => {
    const good = encodeEvent({
      schema: TRACKING_SCHEMA,
      message: trackingEvent('prc_poison', { sourceEventId: 'after-poison' }),
      key: 'prc_poison',
      tenantId: 't',
    });
    const badHeaders = { ...good.headers, [HeaderNames.eventId]: '018f4f5e-0000-7000-8000-000000000001' };
    const missingHeaders: Record<string, string> = {
      ...good.headers,
      [HeaderNames.eventId]: '018f4f5e-0000-7000-8000-000000000002',
    };
    delete missingHeaders[HeaderNames.schema];
    await producer.send({
      topic,
      messages: [
        { key: 'prc_poison', value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff]), headers: badHeaders },
        { key: 'prc_poison', value: Buffer.from(good.value), headers: missingHeaders },
        { key: 'prc_poison', value: Buffer.from(good.value), headers: good.headers },
      ],
    });
    await waitFor(async () => (await effects('prc_poison')).length === 1, 20_000, 'the good record');
    const dead = await readTopic(dlqTopic, 2);
    const byId = new Map(dead.map((d) => [d.headers[HeaderNames.eventId], d.headers]));
    expect(byId.get('018f4f5e-0000-7000-8000-000000000001')).toMatchObject({
      [MessagingHeaderNames.errorReason]: 'CORRUPT_PAYLOAD',
      [RetryHeaderNames.errorKind]: 'malformed',
      [RetryHeaderNames.originalTopic]: topic,
    });
    expect(byId.get('018f4f5e-0000-7000-8000-000000000002')).toMatchObject({
      [MessagingHeaderNames.errorReason]: 'MISSING_HEADER',
    });
  });

  it('dead-letters after the last retry, and a replay after the fix runs the handler once', async () => {
    behaviour.failTimes('broken', Number.POSITIVE_INFINITY);
    const [eventId] = await appendEvents([{ key: 'prc_dlq', label: 'broken' }]);
    const dead = await waitFor(
      async () => {
        const records = await readTopic(dlqTopic, 1, 5_000).catch(() => []);
        return records.find((r) => r.headers[HeaderNames.eventId] === eventId);
      },
      30_000,
      'the dead letter',
    );
    expect(dead.headers).toMatchObject({
      [RetryHeaderNames.attempt]: '3',
      [RetryHeaderNames.errorKind]: 'exhausted',
      [RetryHeaderNames.error]: 'Error: carrier lookup failed for broken',
      [RetryHeaderNames.originalTopic]: topic,
    });
    expect(await effects('prc_dlq')).toEqual([]);

    behaviour.fix('broken');
    const result = await replayDeadLetters({ kafka, dlqTopic, eventIds: [eventId!] });
    expect(result.replayedEventIds).toEqual([eventId]);
    await waitFor(async () => (await effects('prc_dlq')).length === 1, 20_000, 'the replayed effect');
    // replaying everything (the poison records included) is safe: they land in the DLQ again
    const full = await replayDeadLetters({ kafka, dlqTopic });
    expect(full.replayed).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await effects('prc_dlq')).map((e) => e.label)).toEqual(['broken']);
    // a second full replay finds nothing new: the replay group committed its offsets
    const again = await replayDeadLetters({ kafka, dlqTopic });
    expect(again.replayed).toBeLessThanOrEqual(2); // only the poison records that bounced back
  }, 90_000);

  it('on close, finishes the handler in flight and commits it; a restart does not run it again', async () => {
    behaviour.delayMs = 1_500;
    const [eventId] = await appendEvents([{ key: 'prc_shutdown', label: 'in-flight' }]);
    await waitFor(async () => behaviour.attempts.includes('in-flight'), 20_000, 'the handler to start');
    await app.close();
    behaviour.delayMs = 0;
    expect((await effects('prc_shutdown')).map((e) => e.event_id)).toEqual([eventId]);

    const restarted = await startTestConsumer({
      brokers: KAFKA_BROKERS,
      group: GROUP,
      topic,
      dataSource: db.dataSource,
      behaviour,
      metricsRegistry: registry,
    });
    try {
      const duplicatesBefore = await outcomeCount('duplicate');
      await appendEvents([{ key: 'prc_shutdown', label: 'after-restart' }]);
      await waitFor(
        async () => (await effects('prc_shutdown')).length === 2,
        30_000,
        'the next event after restart',
      );
      // the in-flight record's offset was committed at close: it was not even redelivered
      expect(await outcomeCount('duplicate')).toBe(duplicatesBefore);
      expect(behaviour.attempts.filter((l) => l === 'in-flight')).toHaveLength(1);
    } finally {
      await restarted.close();
    }
  }, 90_000);
});
