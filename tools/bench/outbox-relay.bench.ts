// Outbox relay throughput vs a bare kafkajs producer, same batch size, same run, same broker.
//
//   npm run bench -- [--events 50000] [--batch 1000] [--partitions 6]
//
// Kafka from KAFKA_BROKERS (default 127.0.0.1:9092), Postgres from DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres; a scratch database is created and dropped).
// Targets (issue 3): relay >= 5,000 events/s and >= 60 % of the bare producer.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  createIdempotentProducer,
  createKafka,
  createMessagingMigration,
  encodeEvent,
  ensureTopics,
  OutboxRelay,
  OutboxWriter,
} from '@portico/messaging';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, TrackingStreamEventSchema } from '@portico/contracts';
import { logLevel, type Message } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

const TARGET_EVENTS_PER_SECOND = 5_000;
const TARGET_RATIO = 0.6;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '50000' },
      batch: { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '6' },
    },
  });
  const events = Number(values.events);
  const batchSize = Number(values.batch);
  const partitions = Number(values.partitions);
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const suffix = randomBytes(4).toString('hex');
  const database = `bench_outbox_${suffix}`;
  const relayTopic = `bench${suffix}.relay.v1`;
  const bareTopic = `bench${suffix}.bare.v1`;

  const kafka = createKafka({ brokers, clientId: 'bench', logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { name: relayTopic, partitions, retentionMs: 3_600_000 },
    { name: bareTopic, partitions, retentionMs: 3_600_000 },
  ]);

  const pg = new Client({ connectionString: adminUrl });
  await pg.connect();
  await pg.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const dataSource = new DataSource({
    type: 'postgres',
    url: url.toString(),
    migrations: [createMessagingMigration()],
    extra: { max: 4 },
  });
  await dataSource.initialize();
  await dataSource.runMigrations();

  try {
    const keys = Array.from({ length: 1_000 }, (_, i) => `prc_${i.toString(16).padStart(32, '0')}`);
    const messageFor = (i: number) => {
      const parcelId = keys[i % keys.length]!;
      return create(TrackingStreamEventSchema, {
        event: {
          case: 'trackingEventRecorded',
          value: create(carrier.TrackingEventRecordedSchema, {
            parcel: create(common.ParcelRefSchema, {
              parcelId,
              carrierCode: 'sf-express',
              trackingNumber: `SF${i}`,
            }),
            tenantId: 'tenant-bench',
            sourceEventId: `bench-${i}`,
            status: carrier.TrackingStatus.IN_TRANSIT,
            occurredAt: timestampFromDate(new Date()),
          }),
        },
      });
    };

    // 1. Bare kafkajs: the same encoded records, the same producer settings and batch size.
    const bareMessages: Message[] = Array.from({ length: events }, (_, i) => {
      const key = keys[i % keys.length]!;
      const record = encodeEvent({
        schema: TrackingStreamEventSchema,
        message: messageFor(i),
        key,
        tenantId: 'tenant-bench',
      });
      return { key, value: Buffer.from(record.value), headers: record.headers };
    });
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic: bareTopic, messages: bareMessages.slice(0, batchSize) }],
    }); // warm-up
    const bareStart = process.hrtime.bigint();
    for (let i = 0; i < events; i += batchSize) {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [{ topic: bareTopic, messages: bareMessages.slice(i, i + batchSize) }],
      });
    }
    const bareSeconds = seconds(bareStart);
    await producer.disconnect();

    // 2. Fill the outbox (timed only for reference: that is the services' write path). The
    //    first batch is a warm-up (connection, topic metadata), as for the bare producer.
    const writer = new OutboxWriter();
    const fill = async (from: number, count: number) => {
      for (let i = from; i < from + count; i += 5_000) {
        await dataSource.transaction((manager) =>
          writer.appendMany(
            manager,
            Array.from({ length: Math.min(5_000, from + count - i) }, (_, j) => ({
              topic: relayTopic,
              key: keys[(i + j) % keys.length]!,
              tenantId: 'tenant-bench',
              schema: TrackingStreamEventSchema,
              message: messageFor(i + j),
            })),
          ),
        );
      }
    };
    const relay = new OutboxRelay({ dataSource, kafka, batchSize });
    await relay.connectProducer();
    await fill(0, batchSize);
    while ((await relay.publishBatch()) > 0);
    const appendStart = process.hrtime.bigint();
    await fill(0, events);
    const appendSeconds = seconds(appendStart);
    await dataSource.query('VACUUM ANALYZE outbox');

    // 3. The relay's loop drains it: per transaction, claim FOR UPDATE SKIP LOCKED, produce
    //    (acks=-1), delete, commit; batches pipelined as in production.
    const relayStart = process.hrtime.bigint();
    let relayed = 0;
    for (let n = await relay.publishBatch(); n > 0; n = await relay.publishBatch()) relayed += n;
    const relaySeconds = seconds(relayStart);
    await relay.stop();
    if (relayed !== events) throw new Error(`relay published ${relayed} of ${events}`);

    const bareRate = events / bareSeconds;
    const relayRate = events / relaySeconds;
    const ratio = relayRate / bareRate;
    const cpus = os.cpus();
    const lines = [
      `machine          ${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
      `events           ${events} (batch ${batchSize}, ${partitions} partitions, acks=-1, idempotent)`,
      `bare kafkajs     ${fmt(bareRate)} events/s (${bareSeconds.toFixed(2)} s)`,
      `outbox relay     ${fmt(relayRate)} events/s (${relaySeconds.toFixed(2)} s)  [target >= ${fmt(TARGET_EVENTS_PER_SECOND)}]`,
      `relay / bare     ${(ratio * 100).toFixed(1)} %  [target >= ${TARGET_RATIO * 100} %]`,
      `outbox append    ${fmt(events / appendSeconds)} events/s (5,000 per transaction, for reference)`,
      `result           ${relayRate >= TARGET_EVENTS_PER_SECOND && ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await dataSource.destroy();
    await pg.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await pg.end();
    await admin.deleteTopics({ topics: [relayTopic, bareTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
