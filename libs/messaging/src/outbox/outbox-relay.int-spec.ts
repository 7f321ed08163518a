import { fromBinary } from '@bufbuild/protobuf';
import { context, trace } from '@opentelemetry/api';
import { HeaderNames } from '@portico/contracts';
import { createMigratedTestDatabase, installTestTracing } from '@portico/testing';
import { Registry } from 'prom-client';
import {
  createTestDatabase,
  createTopics,
  readTopic,
  uniqueStreamTopic,
  useTestKafka,
  waitFor,
  type TestDatabase,
} from '../test-support/integration';
import { TRACKING_SCHEMA, trackingEvent } from '../test-support/tracking-events';
import { createMessagingMigration } from './messaging.migration';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

// The test broker, found in beforeAll (objects below hold this very array).
const KAFKA_BROKERS: string[] = [];

const kafka = { brokers: KAFKA_BROKERS, clientId: 'relay-int' };

describe('OutboxRelay (real Kafka + Postgres)', () => {
  let db: TestDatabase;
  const writer = new OutboxWriter();
  const relays: OutboxRelay[] = [];
  const tracing = installTestTracing();

  beforeAll(async () => {
    KAFKA_BROKERS.push(...(await useTestKafka()));
    db = await createTestDatabase('relay_int');
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    tracing.uninstall();
    await db.drop();
  });

  function relay(options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
    const r = new OutboxRelay({ dataSource: db.dataSource, kafka, batchSize: 100, ...options });
    relays.push(r);
    return r;
  }

  async function append(topic: string, events: Array<{ key: string; label: string }>): Promise<string[]> {
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

  it('publishes committed rows with their headers and continues the writer’s trace', async () => {
    const topic = uniqueStreamTopic();
    await createTopics([{ name: topic, partitions: 3 }]);
    const registry = new Registry();
    const r = relay({ metricsRegistry: registry });
    await r.start();

    const requestSpan = trace.getTracer('test').startSpan('POST /webhooks/sf');
    const [eventId] = await context.with(trace.setSpan(context.active(), requestSpan), () =>
      append(topic, [{ key: 'prc_trace', label: 'traced' }]),
    );
    requestSpan.end();

    const [record] = await readTopic(topic, 1);
    expect(record!.key).toBe('prc_trace');
    expect(record!.headers).toMatchObject({
      [HeaderNames.eventId]: eventId,
      [HeaderNames.eventType]: 'portico.carrier.v1.TrackingEventRecorded',
      [HeaderNames.schema]: 'portico.carrier.v1.TrackingStreamEvent',
      [HeaderNames.tenantId]: 'tenant-1',
    });
    const traceId = requestSpan.spanContext().traceId;
    expect(record!.headers.traceparent).toContain(traceId);
    const publishSpan = tracing.exporter.getFinishedSpans().find((s) => s.name === `publish ${topic}`);
    expect(publishSpan?.spanContext().traceId).toBe(traceId);
    expect(publishSpan?.parentSpanContext?.spanId).toBe(requestSpan.spanContext().spanId);
    // the record carries the producer span, so a consumer becomes its child
    expect(record!.headers.traceparent).toContain(publishSpan!.spanContext().spanId);

    await waitFor(
      async () => (await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox`))[0].n === 0,
    );
    const metrics = await registry.getMetricsAsJSON();
    const published = metrics.find((m) => m.name === 'portico_outbox_published_total');
    expect(published?.values).toEqual([expect.objectContaining({ labels: { topic }, value: 1 })]);
    const backlog = metrics.find((m) => m.name === 'portico_outbox_backlog');
    expect(backlog?.values[0]?.value).toBe(0);
  });

  it('never publishes a rolled-back row', async () => {
    const topic = uniqueStreamTopic();
    await createTopics([{ name: topic, partitions: 1 }]);
    await relay().start();
    await db.dataSource
      .transaction(async (manager) => {
        await writer.append(manager, {
          topic,
          key: 'prc_x',
          tenantId: 't',
          schema: TRACKING_SCHEMA,
          message: trackingEvent('prc_x'),
        });
        throw new Error('state change failed');
      })
      .catch(() => undefined);
    await append(topic, [{ key: 'prc_y', label: 'kept' }]);
    const records = await readTopic(topic, 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(records.map((m) => m.key)).toEqual(['prc_y']);
  });

  it('rolls back and retries while the broker refuses, then publishes in order', async () => {
    const topic = uniqueStreamTopic(); // not created yet: auto-creation is off, so sends fail
    const r = relay({ errorBackoffMs: { min: 100, max: 500 } });
    await r.start();
    await append(topic, [
      { key: 'prc_a', label: '1' },
      { key: 'prc_a', label: '2' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(
      (await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = $1`, [topic]))[0].n,
    ).toBe(2);
    await createTopics([{ name: topic, partitions: 2 }]);
    const records = await readTopic(topic, 2, 40_000);
    expect(records.map((m) => m.value && trackingLabel(m.value))).toEqual(['1', '2']);
  }, 60_000);

  it('with two relays, publishes every row exactly once and in order per key', async () => {
    const topic = uniqueStreamTopic();
    await createTopics([{ name: topic, partitions: 4 }]);
    await Promise.all([relay({ batchSize: 50 }).start(), relay({ batchSize: 50 }).start()]);
    const keys = Array.from({ length: 25 }, (_, i) => `prc_k${i}`);
    const expected = new Map<string, string[]>(keys.map((k) => [k, []]));
    const writes: Promise<unknown>[] = [];
    for (let batch = 0; batch < 40; batch++) {
      const events = keys.map((key) => ({ key, label: `${key}-${batch}` }));
      for (const e of events) expected.get(e.key)!.push(e.label);
      // sequential per key: each batch commits before the next starts
      await append(topic, events);
    }
    await Promise.all(writes);
    const total = keys.length * 40;
    const records = await readTopic(topic, total, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const ids = records.map((m) => m.headers[HeaderNames.eventId]);
    expect(new Set(ids).size).toBe(total);
    expect(records).toHaveLength(total);
    const seen = new Map<string, string[]>();
    for (const m of records.sort(
      (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
    )) {
      const list = seen.get(m.key) ?? [];
      list.push(trackingLabel(m.value!));
      seen.set(m.key, list);
    }
    expect(seen).toEqual(expected);
  }, 90_000);

  it('claims by an index scan that steps over the rows published before (no rescan of the dead)', async () => {
    // one connection: the relay's statistics reach pg_stat_user_indexes when this connection flushes
    const single = await createMigratedTestDatabase('relay_claim_plan', [createMessagingMigration()], {
      poolSize: 1,
    });
    const topic = uniqueStreamTopic();
    await createTopics([{ name: topic, partitions: 1 }]);
    const r = new OutboxRelay({ dataSource: single.dataSource, kafka, batchSize: 1_000 });
    const appendOn = (count: number, label: string) =>
      single.dataSource.transaction((manager) =>
        writer.appendMany(
          manager,
          Array.from({ length: count }, (_, i) => ({
            topic,
            key: `prc_${label}${i % 50}`,
            tenantId: 'tenant-1',
            schema: TRACKING_SCHEMA,
            message: trackingEvent(`prc_${label}${i % 50}`, { sourceEventId: `${label}${i}` }),
          })),
        ),
      );
    const indexEntriesRead = async () => {
      await single.dataSource.query('SELECT pg_stat_force_next_flush()');
      const [row] = (await single.dataSource.query(
        `SELECT idx_tup_read::int AS n FROM pg_stat_user_indexes WHERE indexrelname = 'outbox_unpublished_idx'`,
      )) as { n: number }[];
      return row!.n;
    };
    try {
      await r.connectProducer();
      // 5,000 rows published and deleted, not vacuumed (as between two autovacuum rounds)
      for (let i = 0; i < 5; i++) await appendOn(1_000, `bulk${i}-`);
      let published = 0;
      while (published < 5_000) published += await r.publishBatch();
      await appendOn(1, 'warm');
      expect(await r.publishBatch()).toBe(1); // this claim meets the dead entries (and kills them)
      const before = await indexEntriesRead();
      for (let i = 0; i < 10; i++) {
        await appendOn(2, `after${i}-`);
        expect(await r.publishBatch()).toBe(2);
      }
      // a bitmap scan reads all 5,000 dead entries on every claim: 50,000 and more
      expect((await indexEntriesRead()) - before).toBeLessThan(500);
      expect(await readTopic(topic, 5_021, 60_000)).toHaveLength(5_021);
    } finally {
      await r.stop();
      await single.drop();
    }
  }, 90_000);

  it('wakes on NOTIFY when rows commit instead of waiting for its next poll', async () => {
    const topic = uniqueStreamTopic();
    await createTopics([{ name: topic, partitions: 1 }]);
    await relay({ idlePollMs: { min: 5_000, max: 5_000 } }).start();
    await new Promise((r) => setTimeout(r, 500)); // now asleep for up to 5 s
    const started = Date.now();
    await append(topic, [{ key: 'prc_notify', label: 'n' }]);
    await waitFor(
      async () =>
        (await db.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = $1`, [topic]))[0]
          .n === 0,
      4_000,
      'the wake-up',
    );
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

/** The label a test gave an event (its source event id), read back from the record value. */
function trackingLabel(value: Buffer): string {
  const message = fromBinary(TRACKING_SCHEMA, value);
  return message.event.case === 'trackingEventRecorded' ? message.event.value.sourceEventId : '?';
}
