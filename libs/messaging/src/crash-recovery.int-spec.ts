// kill -9 of a consumer mid-batch and of the relay mid-publish: nothing lost, no side effect twice.
import { HeaderNames } from '@portico/contracts';
import { Partitioners } from 'kafkajs';
import { OutboxWriter } from './outbox/outbox-writer';
import { encodeEvent } from './serde/event-encoder';
import { startChild } from './test-support/crash/child-process';
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
} from './test-support/integration';
import { startTestConsumer } from './test-support/test-consumer-app';
import { TRACKING_SCHEMA, trackingEvent } from './test-support/tracking-events';
import { consumerTopicSpecs } from './topics/ensure-topics';

// The test broker, found in beforeAll (objects below hold this very array).
const KAFKA_BROKERS: string[] = [];

describe('crash recovery (child processes killed with SIGKILL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    KAFKA_BROKERS.push(...(await useTestKafka()));
    db = await createTestDatabase('crash_int');
  });
  afterAll(async () => {
    await db?.drop();
  });

  const count = async (sql: string): Promise<number> => (await db.dataSource.query(sql))[0].n;

  it('a consumer killed mid-batch resumes without losing or repeating a side effect', async () => {
    const topic = uniqueStreamTopic();
    const group = `crash-consumer-${uniqueSuffix()}`;
    const stream = { name: topic, partitions: 3 };
    await createTopics([stream, ...consumerTopicSpecs(stream, group)]);
    const total = 1_500;
    const keys = Array.from({ length: 30 }, (_, i) => `prc_c${i}`);
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const messages = Array.from({ length: total }, (_, i) => {
      const key = keys[i % keys.length]!;
      const record = encodeEvent({
        schema: TRACKING_SCHEMA,
        message: trackingEvent(key, { sourceEventId: String(i) }),
        key,
        tenantId: 't',
      });
      return { key, value: Buffer.from(record.value), headers: record.headers };
    });
    for (let i = 0; i < total; i += 500) await producer.send({ topic, messages: messages.slice(i, i + 500) });
    await producer.disconnect();

    const settings = { databaseUrl: db.url, brokers: KAFKA_BROKERS, group, topic, handlerDelayMs: 3 };
    for (const killAt of [total / 5, (total * 3) / 5]) {
      const child = await startChild('consumer-process.ts', settings, 'ready');
      await waitFor(
        async () =>
          (await count(`SELECT count(*)::int AS n FROM side_effects WHERE parcel_id LIKE 'prc_c%'`)) >=
          killAt,
        60_000,
        `${killAt} effects`,
      );
      await child.kill9();
    }
    const done = await count(`SELECT count(*)::int AS n FROM side_effects WHERE parcel_id LIKE 'prc_c%'`);
    expect(done).toBeLessThan(total); // the kills really happened mid-stream

    const last = await startChild('consumer-process.ts', settings, 'ready');
    try {
      await waitFor(
        async () =>
          (await count(
            `SELECT count(DISTINCT event_id)::int AS n FROM side_effects WHERE parcel_id LIKE 'prc_c%'`,
          )) === total,
        90_000,
        'every event processed',
      );
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await count(`SELECT count(*)::int AS n FROM side_effects WHERE parcel_id LIKE 'prc_c%'`)).toBe(
        total,
      );
      expect(await count(`SELECT count(*)::int AS n FROM inbox WHERE consumer = '${group}'`)).toBe(total);
      // per-key order survived the crashes
      const rows: Array<{ parcel_id: string; label: string }> = await db.dataSource.query(
        `SELECT parcel_id, label FROM side_effects WHERE parcel_id LIKE 'prc_c%' ORDER BY id`,
      );
      const perKey = new Map<string, number[]>();
      for (const row of rows)
        perKey.set(row.parcel_id, [...(perKey.get(row.parcel_id) ?? []), Number(row.label)]);
      for (const labels of perKey.values()) expect(labels).toEqual([...labels].sort((a, b) => a - b));
    } finally {
      await last.stop();
    }
  }, 240_000);

  it('a relay killed mid-publish restarts; every row reaches Kafka and is handled exactly once', async () => {
    const topic = uniqueStreamTopic();
    const group = `crash-relay-${uniqueSuffix()}`;
    const stream = { name: topic, partitions: 3 };
    await createTopics([stream, ...consumerTopicSpecs(stream, group)]);
    const total = 20_000;
    const writer = new OutboxWriter();
    const keys = Array.from({ length: 50 }, (_, i) => `prc_r${i}`);
    for (let i = 0; i < total; i += 2_000) {
      await db.dataSource.transaction((manager) =>
        writer.appendMany(
          manager,
          Array.from({ length: 2_000 }, (_, j) => {
            const key = keys[(i + j) % keys.length]!;
            return {
              topic,
              key,
              tenantId: 't',
              schema: TRACKING_SCHEMA,
              message: trackingEvent(key, { sourceEventId: String(i + j) }),
            };
          }),
        ),
      );
    }
    const eventIds: string[] = (
      await db.dataSource.query(`SELECT headers->>'event-id' AS id FROM outbox WHERE topic = $1`, [topic])
    ).map((r: { id: string }) => r.id);
    expect(eventIds).toHaveLength(total);

    const settings = { databaseUrl: db.url, brokers: KAFKA_BROKERS, batchSize: 200 };
    const first = await startChild('relay-process.ts', settings, 'started');
    await waitFor(
      async () => (await count(`SELECT count(*)::int AS n FROM outbox`)) <= total - 3_000,
      60_000,
      'some rows published',
    );
    // we see a transaction's commit; a moment later the next one has sent batches it has not
    // committed yet: that is when the kill hurts most
    await new Promise((r) => setTimeout(r, 60));
    await first.kill9();
    const left = await count(`SELECT count(*)::int AS n FROM outbox`);
    expect(left).toBeGreaterThan(0); // killed mid-publish

    const second = await startChild('relay-process.ts', settings, 'started');
    try {
      await waitFor(
        async () => (await count(`SELECT count(*)::int AS n FROM outbox`)) === 0,
        90_000,
        'the outbox to drain',
      );
    } finally {
      await second.stop();
    }
    // distinct event ids: the killed relay's last batch may have reached Kafka twice
    const published = await readTopic(topic, total, 90_000, (m) => m.headers[HeaderNames.eventId]!);
    const ids = new Set(published.map((m) => m.headers[HeaderNames.eventId]));
    expect(eventIds.every((id) => ids.has(id))).toBe(true);
    const duplicates = published.length - ids.size; // at-least-once: a killed batch may be resent

    const consumer = await startTestConsumer({
      brokers: KAFKA_BROKERS,
      group,
      topic,
      dataSource: db.dataSource,
      concurrency: { stream: 3 },
    });
    try {
      await waitFor(
        async () =>
          (await count(
            `SELECT count(DISTINCT event_id)::int AS n FROM side_effects WHERE parcel_id LIKE 'prc_r%'`,
          )) === total,
        120_000,
        'every event handled',
      );
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await count(`SELECT count(*)::int AS n FROM side_effects WHERE parcel_id LIKE 'prc_r%'`)).toBe(
        total,
      );
    } finally {
      await consumer.close();
    }
    process.stdout.write(
      `relay crash: ${total} rows, ${duplicates} resent after the kill, 0 lost, 0 side effects doubled\n`,
    );
  }, 300_000);
});
