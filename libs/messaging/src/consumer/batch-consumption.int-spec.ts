import { context, trace } from '@opentelemetry/api';
import { HeaderNames } from '@portico/contracts';
import { installTestTracing } from '@portico/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { MessagingHeaderNames } from '../headers/record-headers';
import { encodeEvent } from '../serde/event-encoder';
import {
  createTestDatabase,
  createTopics,
  readTopic,
  testKafka,
  uniqueStreamTopic,
  uniqueSuffix,
  useTestKafka,
  waitFor,
  type TestDatabase,
} from '../test-support/integration';
import { startTestConsumer, type TestConsumerApp } from '../test-support/test-consumer-app';
import { BatchTrackingConsumer, HandlerBehaviour } from '../test-support/tracking-consumer';
import { TRACKING_SCHEMA, trackingEvent } from '../test-support/tracking-events';
import { consumerTopicSpecs } from '../topics/ensure-topics';

const KAFKA_BROKERS: string[] = [];
const GROUP = `batch-${uniqueSuffix()}`;
const KEYS = 8;
const PER_KEY = 5;

/**
 * An `@EventBatchPattern` handler on the real broker and Postgres. Everything is produced before
 * the consumer joins, so its first fetch holds the whole partition and chunks really form; among
 * the records: a poison one, one whose handler fails once in the batch and once more on its own,
 * and a second copy of an event.
 */
describe('batch consumption (real Kafka + Postgres, @EventBatchPattern)', () => {
  const tracing = installTestTracing();
  const topic = uniqueStreamTopic();
  const behaviour = new HandlerBehaviour();
  const registry = new Registry();
  const traceOfLabel = new Map<string, string>();
  let db: TestDatabase;
  let consumer: TestConsumerApp | undefined;
  let producer: Producer;

  function labelOf(key: number, n: number): string {
    return `k${key}-${n}`;
  }

  beforeAll(async () => {
    KAFKA_BROKERS.push(...(await useTestKafka()));
    db = await createTestDatabase('batch_int');
    const stream = { name: topic, partitions: 1 };
    await createTopics([stream, ...consumerTopicSpecs(stream, GROUP)]);
    producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    // each event in a trace of its own, as if each came from its own webhook request
    const messages = [];
    for (let n = 0; n < PER_KEY; n++) {
      for (let key = 0; key < KEYS; key++) {
        const label = labelOf(key, n);
        const request = trace.getTracer('test').startSpan(`POST /webhooks ${label}`);
        const record = context.with(trace.setSpan(context.active(), request), () =>
          encodeEvent({
            schema: TRACKING_SCHEMA,
            message: trackingEvent(`prc_${key}`, { sourceEventId: label }),
            key: `prc_${key}`,
            tenantId: 'tenant-1',
          }),
        );
        request.end();
        traceOfLabel.set(label, request.spanContext().traceId);
        messages.push({ key: record.key, value: Buffer.from(record.value), headers: record.headers });
      }
    }
    const poison = { ...messages[10]!, value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff]) };
    poison.headers = { ...poison.headers, [HeaderNames.eventId]: '018f4f5e-0000-7000-8000-0000000000aa' };
    // the poison record and the copy of k0-0 sit in the middle of the partition
    messages.splice(12, 0, poison, messages[0]!);
    behaviour.failTimes(labelOf(3, 1), 2); // fails in its batch and once on its own -> retry topic
    await producer.send({ topic, messages });

    consumer = await startTestConsumer({
      brokers: KAFKA_BROKERS,
      group: GROUP,
      topic,
      dataSource: db.dataSource,
      behaviour,
      metricsRegistry: registry,
      streamBatchSize: 10,
      controller: BatchTrackingConsumer,
    });
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await consumer?.close();
    tracing.uninstall();
    await db?.drop();
  });

  async function allEffects(): Promise<
    Array<{ label: string; parcel_id: string; trace_id: string; previous_failures: number }>
  > {
    return db.dataSource.query(
      `SELECT label, parcel_id, trace_id, previous_failures FROM side_effects ORDER BY id`,
    );
  }

  it('handles every event exactly once, in order per key, past a poison record and a failing one', async () => {
    const rows = await waitFor(
      async () => {
        const found = await allEffects();
        return found.length >= KEYS * PER_KEY && found;
      },
      40_000,
      'every event handled',
    );
    expect(rows).toHaveLength(KEYS * PER_KEY); // the copy of k0-0 added nothing
    expect(new Set(rows.map((r) => r.label)).size).toBe(KEYS * PER_KEY);
    for (let key = 0; key < KEYS; key++) {
      const labels = rows.filter((r) => r.parcel_id === `prc_${key}`).map((r) => r.label);
      expect(labels).toEqual(Array.from({ length: PER_KEY }, (_, n) => labelOf(key, n)));
    }
    expect(rows.find((r) => r.label === labelOf(3, 1))?.previous_failures).toBe(1);
    const inbox = await db.dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE consumer = $1`, [
      GROUP,
    ]);
    expect(inbox[0].n).toBe(KEYS * PER_KEY);

    const dead = await readTopic(`${topic}.dlq.${GROUP}`, 1);
    expect(dead.map((d) => d.headers[HeaderNames.eventId])).toEqual(['018f4f5e-0000-7000-8000-0000000000aa']);
    expect(dead[0]!.headers[MessagingHeaderNames.errorReason]).toBe('CORRUPT_PAYLOAD');

    // batches really formed: the handler got runs of several events
    expect(Math.max(...BatchTrackingConsumer.batchSizes)).toBeGreaterThan(1);
  }, 60_000);

  it("keeps each event's work in its own producer's trace, under a batch span linked to them", async () => {
    const rows = await allEffects();
    for (const row of rows) expect(row.trace_id).toBe(traceOfLabel.get(row.label));

    const spans = tracing.exporter.getFinishedSpans();
    const batches = spans.filter((s) => s.name === `process ${topic} batch`);
    expect(batches.length).toBeGreaterThan(0);
    const biggest = batches.reduce((a, b) => (b.links.length > a.links.length ? b : a));
    expect(biggest.links.length).toBeGreaterThan(1);
    // the linked traces are the records' own ones
    const linked = new Set(biggest.links.map((l) => l.context.traceId));
    expect([...linked].every((id) => [...traceOfLabel.values()].includes(id))).toBe(true);

    // records finished in a chunk: their span is in their producer's trace, linked to the batch span
    const batchSpanIds = new Set(batches.map((b) => b.spanContext().spanId));
    const inChunks = spans.filter(
      (s) =>
        s.name === `process ${topic}` && s.attributes['portico.outcome'] === 'handled' && s.links.length > 0,
    );
    expect(inChunks.length).toBeGreaterThan(KEYS);
    for (const span of inChunks) {
      expect([...traceOfLabel.values()]).toContain(span.spanContext().traceId);
      expect(batchSpanIds.has(span.links[0]!.context.spanId)).toBe(true);
    }
  });

  it('reports how many records each chunk finished together', async () => {
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'portico_consumer_batch_records',
    );
    const sum = metric?.values.find(
      (v) => (v as { metricName?: string }).metricName === 'portico_consumer_batch_records_sum',
    );
    expect(sum?.value).toBeGreaterThan(1);
  });

  it('takes a record fetched alone through the chunk path too', async () => {
    const chunksBefore = await chunkCount();
    const label = 'alone-1';
    const record = encodeEvent({
      schema: TRACKING_SCHEMA,
      message: trackingEvent('prc_alone', { sourceEventId: label }),
      key: 'prc_alone',
      tenantId: 'tenant-1',
    });
    await producer.send({
      topic,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: record.headers }],
    });
    await waitFor(async () => (await allEffects()).some((e) => e.label === label), 20_000, 'the lone record');
    // one more chunk: the lone record's own (its batch handler ran in a chunk transaction)
    expect(await chunkCount()).toBe(chunksBefore + 1);
  });

  async function chunkCount(): Promise<number> {
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'portico_consumer_batch_records',
    );
    const count = metric?.values.find(
      (v) => (v as { metricName?: string }).metricName === 'portico_consumer_batch_records_count',
    );
    return count?.value ?? 0;
  }
});
