// Proves the isolation helpers against whatever getTestKafka/getTestPostgres resolve to (on these
// machines: the local broker from deploy/local/kafka.sh and the local PostgreSQL).
import { Client } from 'pg';
import {
  createTestDatabase,
  createTopics,
  deleteTopics,
  getTestKafka,
  getTestPostgres,
  testKafkaClient,
  uniqueTopicName,
  waitFor,
  withAdmin,
  type TestDatabase,
} from './index';

async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('test databases', () => {
  let adminUrl: string;
  const created: TestDatabase[] = [];

  beforeAll(async () => {
    ({ adminUrl } = await getTestPostgres());
  });

  afterAll(async () => {
    await Promise.all(created.map((db) => db.drop()));
  });

  async function databaseExists(name: string): Promise<boolean> {
    const rows = await query(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length === 1;
  }

  it('creates a fresh, separate database per call that tests can use', async () => {
    const a = await createTestDatabase('testing-int');
    const b = await createTestDatabase('testing-int');
    created.push(a, b);
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^testing_int_test_[0-9a-f]{8}$/);

    await query(a.url, 'CREATE TABLE parcel (id text PRIMARY KEY)');
    await query(a.url, "INSERT INTO parcel VALUES ('p-1')");
    expect(await query(a.url, 'SELECT id FROM parcel')).toEqual([{ id: 'p-1' }]);
    const inB = await query(b.url, "SELECT to_regclass('public.parcel') AS t");
    expect(inB).toEqual([{ t: null }]);
    expect((await query<{ db: string }>(a.url, 'SELECT current_database() AS db'))[0]?.db).toBe(a.name);
  });

  it('drops the database even while a connection is still open, and a second drop is harmless', async () => {
    const db = await createTestDatabase('testing-int-drop');
    created.push(db);
    const leftOpen = new Client({ connectionString: db.url });
    leftOpen.on('error', () => undefined); // FORCE terminates it; that is the point
    await leftOpen.connect();

    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
    await expect(db.drop()).resolves.toBeUndefined();
    await leftOpen.end().catch(() => undefined);
  });
});

describe('test topics', () => {
  let brokers: string[];
  const toDelete: string[] = [];

  beforeAll(async () => {
    ({ brokers } = await getTestKafka());
  });

  afterAll(async () => {
    await deleteTopics(brokers, toDelete);
  });

  it('creates topics with the requested partitions and config, ready for a producer at once', async () => {
    const stream = uniqueTopicName('testing.parcel.v1');
    const compacted = uniqueTopicName('testing.directory.v1');
    toDelete.push(stream, compacted);

    const names = await createTopics(brokers, [
      { topic: stream, numPartitions: 3 },
      { topic: compacted, config: { 'cleanup.policy': 'compact' } },
    ]);
    expect(names).toEqual([stream, compacted]);

    const metadata = await withAdmin(brokers, (admin) =>
      admin.fetchTopicMetadata({ topics: [stream, compacted] }),
    );
    // The broker answers in its own order.
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitions).toEqual(
      new Map([
        [stream, 3],
        [compacted, 1],
      ]),
    );
    const configs = await withAdmin(brokers, (admin) =>
      admin.describeConfigs({
        resources: [{ type: 2, name: compacted, configNames: ['cleanup.policy'] }],
        includeSynonyms: false,
      }),
    );
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    // Produce and read back one record: the topic works end to end on this broker.
    const kafka = testKafkaClient(brokers);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: stream, acks: -1, messages: [{ key: 'parcel-1', value: 'hello' }] });
    await producer.disconnect();
    const offsets = await waitFor(
      async () => {
        const byPartition = await withAdmin(brokers, (admin) => admin.fetchTopicOffsets(stream));
        return byPartition.reduce((sum, p) => sum + Number(p.high), 0) === 1 ? byPartition : undefined;
      },
      { timeoutMs: 10_000, description: `one record in ${stream}` },
    );
    expect(offsets).toHaveLength(3);
  });

  it('leaves an existing topic as it is when asked again', async () => {
    const topic = uniqueTopicName('testing.again.v1');
    toDelete.push(topic);
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);
    await expect(createTopics(brokers, [topic])).resolves.toEqual([topic]);
    const metadata = await withAdmin(brokers, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
  });

  it('deletes only existing topics, including derived ones matched by a predicate', async () => {
    const topic = uniqueTopicName('testing.cleanup.v1');
    const retry = `${topic}.retry.some-group`;
    const unrelated = uniqueTopicName('testing.keep.v1');
    toDelete.push(unrelated);
    await createTopics(brokers, [topic, retry, unrelated]);

    const deleted = await deleteTopics(brokers, [topic, `${topic}.never-created`], (t) =>
      t.startsWith(`${topic}.`),
    );
    expect(deleted.sort()).toEqual([topic, retry].sort());
    await waitFor(
      async () => {
        const left = await withAdmin(brokers, (admin) => admin.listTopics());
        return !left.includes(topic) && !left.includes(retry) && left.includes(unrelated);
      },
      { timeoutMs: 15_000, description: `${topic} and its retry topic gone, ${unrelated} kept` },
    );
    await expect(deleteTopics(brokers, [topic])).resolves.toEqual([]);
  });
});
