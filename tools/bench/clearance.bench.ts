// clearance under load (issue 5's numbers), against the real service, Postgres and Kafka.
//
//   npm run bench:clearance -- [--holds 10000] [--timers 100000] [--window-seconds 60]
//
// 1. Holds: `--holds` customs holds for ID documents are published onto carrier.tracking.v1 as
//    carrier-ingestion would, then clearance (built from this checkout, `dist/`, its own process,
//    scratch database) starts with its consumer group at the offsets taken before: the time from
//    the service being ready to the last case stored is the figure (target: 10,000 within 30 s).
//    Baseline, same run, same records: a bare kafkajs consumer that decodes each record and inserts
//    one row per record in one transaction per batch (consume -> decode -> insert -> commit).
// 2. Timers: `--timers` reminder timers for those cases are written into clearance's timers table,
//    due spread evenly over `--window-seconds` starting 15 s ahead, while the service runs. Each
//    firing is the real one (case locked and read, ResidentReminderDue through the outbox onto
//    clearance.case.v1). A trigger records when each timer row is deleted (claimed); lateness is
//    claim time minus due time (target p99 < 2 s). Baseline: a bare claim-and-delete loop over the
//    same number of rows (SKIP LOCKED, batches of 100) gives the database's ceiling in rows/s.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  common,
  parcelRef,
  TrackingStreamEventSchema,
} from '@portico/contracts';
import { createKafka, encodeEvent, ensureTopics } from '@portico/messaging';
import { createTestDatabase, waitFor } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import { logLevel, type Kafka } from 'kafkajs';
import { Client } from 'pg';
import { describeMachine, fmt } from './support/machine';

const TARGET_HOLDS_SECONDS = 30;
const TARGET_LATENESS_P99_MS = 2_000;
const LOG_DIR = join(REPO_ROOT, '.local', 'bench');
const HOUR = 3_600_000;

type Offsets = Array<{ partition: number; offset: string }>;

async function publishHolds(kafka: Kafka, tenantId: string, runId: string, count: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const heldAt = new Date(Date.now() - HOUR);
    for (let start = 0; start < count; start += 1_000) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 1_000); i++) {
        const ref = parcelRef('bench-express', `BC${runId.toUpperCase()}${String(i).padStart(8, '0')}`);
        const record = encodeEvent({
          schema: TrackingStreamEventSchema,
          key: ref.parcelId,
          tenantId,
          message: create(TrackingStreamEventSchema, {
            event: {
              case: 'trackingEventRecorded',
              value: create(carrier.TrackingEventRecordedSchema, {
                parcel: ref,
                tenantId,
                provider: carrier.TrackingProvider.PORTICO_NATIVE,
                sourceEventId: `bench-${runId}-${i}`,
                status: carrier.TrackingStatus.CUSTOMS_HOLD,
                customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
                occurredAt: timestampFromDate(heldAt),
                receivedAt: timestampFromDate(new Date()),
                customsDeadline: timestampFromDate(new Date(heldAt.getTime() + 96 * HOUR)),
                rawStatusCode: 'CUSTOMS_ID',
                shipment: create(carrier.ShipmentDetailsSchema, {
                  originCountryCode: 'JP',
                  destinationCountryCode: 'CN',
                  declaredValue: create(common.MoneySchema, { currencyCode: 'CNY', amountMinor: 98_000n }),
                }),
              }),
            },
          }),
        });
        messages.push({ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } });
      }
      await producer.send({ topic: CARRIER_TRACKING_TOPIC.name, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The floor: consume, decode, one INSERT per record, one transaction per batch, commit offsets. */
async function bareConsumer(kafka: Kafka, dbUrl: string, before: Offsets, count: number): Promise<number> {
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  await pg.query(
    `CREATE TABLE bench_bare_cases (parcel_id text PRIMARY KEY, tenant_id text, opened_at timestamptz)`,
  );
  const group = `bench-bare-${randomBytes(3).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.setOffsets({
    groupId: group,
    topic: CARRIER_TRACKING_TOPIC.name,
    partitions: before.map((p) => ({ ...p })),
  });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topics: [CARRIER_TRACKING_TOPIC.name] });
  let stored = 0;
  const started = Date.now();
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      await pg.query('BEGIN');
      for (const message of batch.messages) {
        const event = fromBinary(TrackingStreamEventSchema, message.value ?? Buffer.alloc(0));
        const recorded = event.event.value as carrier.TrackingEventRecorded;
        await pg.query(`INSERT INTO bench_bare_cases VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`, [
          recorded.parcel?.parcelId,
          recorded.tenantId,
        ]);
        resolveOffset(message.offset);
      }
      await pg.query('COMMIT');
      stored += batch.messages.length;
      await heartbeat();
    },
  });
  await waitFor(() => stored >= count, {
    timeoutMs: 300_000,
    intervalMs: 50,
    description: 'bare consumer done',
  });
  const seconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  await pg.end();
  return seconds;
}

/** The database's ceiling for claiming timers: SKIP LOCKED + DELETE in batches of 100, nothing else. */
async function bareClaims(dbUrl: string, count: number): Promise<number> {
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  await pg.query(
    `CREATE TABLE bench_bare_timers (id bigserial PRIMARY KEY, key text UNIQUE, due_at timestamptz NOT NULL)`,
  );
  await pg.query(`CREATE INDEX ON bench_bare_timers (due_at, id)`);
  await pg.query(
    `INSERT INTO bench_bare_timers (key, due_at) SELECT 'k' || g, now() - interval '1 second' FROM generate_series(1, $1) g`,
    [count],
  );
  const started = Date.now();
  let claimed = 0;
  for (;;) {
    await pg.query('BEGIN');
    const { rowCount } = await pg.query(
      `DELETE FROM bench_bare_timers WHERE id IN (
         SELECT id FROM bench_bare_timers WHERE due_at <= now() ORDER BY due_at, id LIMIT 100 FOR UPDATE SKIP LOCKED)`,
    );
    await pg.query('COMMIT');
    claimed += rowCount ?? 0;
    if (!rowCount) break;
  }
  const seconds = (Date.now() - started) / 1000;
  await pg.end();
  return claimed / seconds;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      holds: { type: 'string', default: '10000' },
      timers: { type: 'string', default: '100000' },
      'window-seconds': { type: 'string', default: '60' },
    },
  });
  const holds = Number(values.holds);
  const timers = Number(values.timers);
  const windowSeconds = Number(values['window-seconds']);
  const runId = randomBytes(3).toString('hex');
  const tenantId = `ten_bench_${runId}`;
  const group = `bench-clearance-${runId}`;
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = createKafka({ brokers, clientId: `bench-clearance-${runId}`, logLevel: logLevel.NOTHING });
  const machine = describeMachine();

  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [CARRIER_TRACKING_TOPIC]);
  // a scratch broker may still be electing the new topic's leaders
  const before: Offsets = await waitFor(
    () =>
      admin
        .fetchTopicOffsets(CARRIER_TRACKING_TOPIC.name)
        .then((ps) => ps.map((p) => ({ partition: p.partition, offset: p.offset })))
        .catch(() => undefined),
    { timeoutMs: 30_000, intervalMs: 500, description: 'carrier.tracking.v1 offsets' },
  );
  await publishHolds(kafka, tenantId, runId, holds);
  await admin.setOffsets({ groupId: group, topic: CARRIER_TRACKING_TOPIC.name, partitions: before });
  await admin.disconnect();

  const bareDb = await createTestDatabase('bench_clearance_bare');
  const db = await createTestDatabase('bench_clearance');
  const service = new ServiceProcess(
    'clearance',
    await freePort(),
    {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: group,
      KAFKA_CONSUMER_GROUP: group,
      AUTH_DEV_TOKEN_KEY: randomBytes(32).toString('base64url'),
      TIMER_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
    },
    LOG_DIR,
  );
  const pg = new Client({ connectionString: db.url });
  try {
    // Baseline first, alone on the machine.
    const bareSeconds = await bareConsumer(kafka, bareDb.url, before, holds);
    const bareClaimRate = await bareClaims(bareDb.url, timers);

    service.migrate();
    await pg.connect();
    const startedAt = Date.now();
    await service.start();
    const readyAt = Date.now();
    const countCases = async () =>
      (await pg.query(`SELECT count(*)::int AS n FROM clearance_cases WHERE tenant_id = $1`, [tenantId]))
        .rows[0].n as number;
    await waitFor(async () => (await countCases()) >= holds, {
      timeoutMs: 600_000,
      intervalMs: 100,
      description: 'every hold opened a case',
    });
    const openedAt = Date.now();
    const holdSeconds = (openedAt - readyAt) / 1000;

    // Timers: T reminders over the N cases, due evenly over the window, starting 15 s ahead.
    await pg.query(`CREATE TABLE bench_fired (key text, due_at timestamptz, fired_at timestamptz)`);
    await pg.query(`
      CREATE FUNCTION bench_record_fired() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.key LIKE '%:reminder:bench%' THEN
          INSERT INTO bench_fired VALUES (OLD.key, OLD.due_at, clock_timestamp());
        END IF;
        RETURN OLD;
      END $$`);
    await pg.query(
      `CREATE TRIGGER bench_fired AFTER DELETE ON timers FOR EACH ROW EXECUTE FUNCTION bench_record_fired()`,
    );
    const windowStart = Date.now() + 15_000;
    await pg.query(
      `INSERT INTO timers (key, kind, due_at, payload)
       SELECT 'case:' || c.id || ':reminder:bench' || g,
              'clearance-reminder',
              to_timestamp(($2::bigint + (row_number() OVER (ORDER BY g, c.id) - 1) * $3::float8) / 1000.0),
              jsonb_build_object('caseId', c.id, 'leadHours', g)
         FROM (SELECT id FROM clearance_cases WHERE tenant_id = $1) c,
              generate_series(1, ceil($4::float8 / (SELECT count(*) FROM clearance_cases WHERE tenant_id = $1))::int) g
        LIMIT $4`,
      [tenantId, windowStart, (windowSeconds * 1000) / timers, timers],
    );
    const pending = (await pg.query(`SELECT count(*)::int AS n FROM timers`)).rows[0].n as number;
    await waitFor(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM bench_fired`)).rows[0].n >= timers,
      { timeoutMs: (windowSeconds + 600) * 1000, intervalMs: 1_000, description: 'every bench timer fired' },
    );
    const lateness = (
      await pg.query(`SELECT extract(epoch FROM fired_at - due_at) * 1000 AS ms FROM bench_fired ORDER BY 1`)
    ).rows.map((r) => Number(r.ms));
    const early = lateness.filter((ms) => ms < 0).length;
    // the handler's own count: every firing found its case and emitted ResidentReminderDue
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const reminders = metrics
      .split('\n')
      .filter((l) => l.startsWith('portico_clearance_reminders_due_total{'))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);

    const p99 = percentile(lateness, 99);
    const pass =
      holdSeconds <= TARGET_HOLDS_SECONDS &&
      p99 < TARGET_LATENESS_P99_MS &&
      early === 0 &&
      reminders === timers;
    const lines = [
      `machine            ${machine}`,
      `holds              ${fmt(holds)} customs holds on carrier.tracking.v1, clearance started with its group at their first offset`,
      `bare consumer      ${fmt(holds / bareSeconds)} records/s (${bareSeconds.toFixed(1)} s): decode + 1 INSERT per record, 1 txn per batch`,
      `clearance          ${fmt(holds)} cases in ${holdSeconds.toFixed(1)} s after ready (${fmt(holds / holdSeconds)} cases/s; start took ${((readyAt - startedAt) / 1000).toFixed(1)} s)  [target <= ${TARGET_HOLDS_SECONDS} s]`,
      `clearance / bare   ${((bareSeconds / holdSeconds) * 100).toFixed(1)} %`,
      `timers             ${fmt(timers)} reminder timers due over ${windowSeconds} s (${fmt(timers / windowSeconds)}/s), ${fmt(pending)} pending in the table when the window opened`,
      `bare claim loop    ${fmt(bareClaimRate)} rows/s (SKIP LOCKED + DELETE, batches of 100, no handler)`,
      `lateness           p50 ${percentile(lateness, 50).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${lateness.at(-1)?.toFixed(0)} ms, ${early} early  [target p99 < ${fmt(TARGET_LATENESS_P99_MS)} ms]`,
      `reminders emitted  ${fmt(reminders)} ResidentReminderDue (portico_clearance_reminders_due_total)  [must equal the timers]`,
      `result             ${pass ? 'PASS' : 'FAIL'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await service.stop();
    await pg.end().catch(() => undefined);
    await db.drop();
    await bareDb.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
