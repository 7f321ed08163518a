// claims' stale-parcel sweep over 1,000,000 tracked parcels (issue 8's numbers), against the real
// service, Postgres and Kafka.
//
//   npm run bench:claims -- [--parcels 1000000] [--stale-per-mille 15] [--concurrency 1] [--profile]
//
// A scratch database, migrated by the service's own migrate.js, is seeded with `--parcels` parcels
// in claims_parcels (10 tenants, 5 carriers, CN-CN and JP-CN, first seen over 60 days) and their
// detection timers exactly as DetectionService arms them (claims.detect-no-scan on every parcel,
// claims.detect-past-edd on those with an estimate), with generate_series INSERTs. A fraction
// (`--stale-per-mille`, default 1.5 %) is stale: two thirds have not scanned for longer than the
// no-scan rule (7 d domestic, 20 d international), one third is past its estimated delivery by more
// than 48 h. Their one due timer each is kept aside until the service is ready.
//
// 1. Plans: EXPLAIN (ANALYZE, BUFFERS) of the runner's claim query (TIMER_CLAIM_SQL, with 100 due
//    and with nothing due) and of each lookup a detection handler makes; after the sweep, of the
//    scorecard queries (scorecardQueries, the repository's own SQL) and of the pending-timers gauge. The run fails if a per-tick query (claim + handler
//    lookups) shows a Seq Scan on claims_parcels or timers.
// 2. Baseline, same table, same run: a bare loop of TIMER_CLAIM_SQL in batches of 100 (one
//    transaction each, no handler) over the same number of due rows.
// 3. Sweep: claims (built from this checkout, dist/, its own process) starts; when it is ready the
//    due timers are inserted in one statement and the clock runs until none is due. Each firing is
//    the real one (DurableTimers claim loop -> ClaimTimerHandlers -> DetectionService re-reads the
//    parcel locked -> ClaimWorkflow.open: claim, history, ClaimOpened in the outbox, SLA timers).
//    Claims opened must equal the stale parcels (by reason too). Target: < 30 s.
// 4. Idle tick: the claim query with nothing due over the whole table, after the sweep (~ms).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CARRIER_TRACKING_TOPIC, CLAIMS_CLAIM_TOPIC, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import { createKafka, ensureTopics } from '@portico/messaging';
import { createTestDatabase, waitFor } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import { TIMER_CLAIM_SQL } from '@portico/timers';
import { logLevel } from 'kafkajs';
import { Client } from 'pg';
import { scorecardQueries } from '../../services/claims/src/scorecards/scorecard.repository';
import { describeMachine, fmt } from './support/machine';

const TARGET_SWEEP_SECONDS = 30;
const LOG_DIR = join(REPO_ROOT, '.local', 'bench');
const BATCH = 100; // the runner's batch size (TimerRunner default, DurableTimers does not change it)

/**
 * One row per parcel: its class (fresh, stale no-scan, stale past-EDD), lane, last scan and
 * estimate. Everything else is derived from it, so parcels and timers agree exactly.
 */
const SEED_SQL = `
  CREATE UNLOGGED TABLE bench_seed AS
  SELECT i,
         'prc_' || md5('bench' || i) AS parcel_id,
         'ten_bench_' || (i % 10) AS tenant_id,
         (ARRAY['sf-express', 'ems', 'yto', 'jd-logistics', 'dhl'])[1 + i % 5] AS carrier_code,
         ((i / 7) % 5) >= 3 AS international,
         CASE WHEN i % 1000 >= $2 THEN 'fresh' WHEN (i % 1000) % 3 = 2 THEN 'past_edd' ELSE 'no_scan' END AS class,
         now0
    FROM generate_series(1, $1::int) i, (SELECT date_trunc('milliseconds', now()) AS now0) n`;

const SEED_TIMES_SQL = `
  CREATE UNLOGGED TABLE bench_parcels AS
  SELECT s.*,
         date_trunc('milliseconds', CASE class
           WHEN 'no_scan' THEN now0 - CASE WHEN international THEN interval '25 days' ELSE interval '10 days' END
                               - (i % 3600) * interval '1 second'
           WHEN 'past_edd' THEN now0 - interval '1 day' - (i % 3600) * interval '1 second'
           ELSE now0 - (i % 144) * interval '1 hour' - (i % 3600) * interval '1 second' END) AS last_scan_at,
         CASE class
           WHEN 'past_edd' THEN (now0 AT TIME ZONE 'Asia/Shanghai')::date - 5
           WHEN 'fresh' THEN CASE WHEN i % 2 = 0 THEN (now0 AT TIME ZONE 'Asia/Shanghai')::date + 3 END
         END AS edd
    FROM bench_seed s`;

const INSERT_PARCELS_SQL = `
  INSERT INTO claims_parcels (tenant_id, parcel_id, carrier_code, tracking_number, status, exception_reason,
    last_scan_at, last_event_id, estimated_delivery, origin_country_code, destination_country_code, property_id,
    delivered_at, declared_currency, declared_minor, first_seen_at, updated_at)
  SELECT tenant_id, parcel_id, carrier_code, 'BN' || lpad(i::text, 10, '0'), 'in_transit', NULL,
         last_scan_at, 'evt_bench_' || i, edd, CASE WHEN international THEN 'JP' ELSE 'CN' END, 'CN',
         'prop_bench_' || (i % 50), NULL, 'CNY', 98000,
         last_scan_at - (i % 55) * interval '1 day' - interval '1 hour', last_scan_at
    FROM bench_parcels`;

// The timers DetectionService arms (claim-timers.ts armDetection): key, kind, due time, payload.
const TIMERS_OF = `
  WITH t AS (
    SELECT parcel_id, tenant_id, class, last_scan_at, edd,
           to_char(last_scan_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS scan_iso,
           last_scan_at + CASE WHEN international THEN interval '20 days' ELSE interval '7 days' END AS no_scan_due,
           ((edd + 1)::timestamp AT TIME ZONE 'UTC') - interval '8 hours' + interval '48 hours' AS past_edd_due
      FROM bench_parcels)
  SELECT 'detect:' || parcel_id || ':' || tenant_id || ':no-scan' AS key, 'claims.detect-no-scan' AS kind,
         no_scan_due AS due_at,
         jsonb_build_object('tenantId', tenant_id, 'parcelId', parcel_id, 'lastScanAt', scan_iso) AS payload,
         class = 'no_scan' AS due
    FROM t
  UNION ALL
  SELECT 'detect:' || parcel_id || ':' || tenant_id || ':past-edd', 'claims.detect-past-edd', past_edd_due,
         jsonb_build_object('tenantId', tenant_id, 'parcelId', parcel_id, 'lastScanAt', scan_iso),
         class = 'past_edd'
    FROM t WHERE edd IS NOT NULL`;

const PER_TICK_PLANS: Array<{ name: string; sql: string; params: (p: StaleParcel[]) => unknown[] }> = [
  // ParcelRepository.findMany(lock) — DetectionService re-reads the batch's parcels in one query
  {
    name: `handler: the batch's parcels by key, locked (${BATCH} keys)`,
    sql: `SELECT *, to_char(estimated_delivery, 'YYYY-MM-DD') AS estimated_delivery
         FROM claims_parcels
        WHERE (tenant_id, parcel_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY tenant_id, parcel_id FOR UPDATE`,
    params: (ps) => [ps.map((p) => p.tenant_id), ps.map((p) => p.parcel_id)],
  },
  // SettingsRepository.find — TenantSettings.of, once per tenant of the batch
  {
    name: 'handler: tenant settings',
    sql: `SELECT * FROM claims_tenant_settings WHERE tenant_id = $1`,
    params: ([p]) => [p!.tenant_id],
  },
  // ClaimRepository.findByIncident — ClaimWorkflow.open
  {
    name: 'handler: claim of the incident',
    sql: `SELECT * FROM claims_claims WHERE tenant_id = $1 AND parcel_id = $2 AND incident_key = $3`,
    params: ([p]) => [p!.tenant_id, p!.parcel_id, `no_scan:${p!.scan_iso}`],
  },
  // ClaimRepository.findOpenForParcel — DetectionService on the next scan, ClaimWorkflow.open on a conflict
  {
    name: 'handler: open claim of the parcel',
    sql: `SELECT * FROM claims_claims WHERE tenant_id = $1 AND parcel_id = $2 AND closed_at IS NULL FOR UPDATE`,
    params: ([p]) => [p!.tenant_id, p!.parcel_id],
  },
];

interface StaleParcel {
  parcel_id: string;
  tenant_id: string;
  scan_iso: string;
}

async function explain(pg: Client, sql: string, params: unknown[]): Promise<{ plan: string; ms: number }> {
  await pg.query('BEGIN');
  try {
    const started = process.hrtime.bigint();
    const rows = (await pg.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows as Array<
      Record<string, string>
    >;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { plan: rows.map((r) => r['QUERY PLAN']).join('\n'), ms };
  } finally {
    await pg.query('ROLLBACK'); // EXPLAIN ANALYZE of a DELETE deletes: never keep it
  }
}

const seqScans = (plan: string) =>
  plan.split('\n').filter((l) => /Seq Scan on (claims_parcels|timers)\b/.test(l));

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

async function count(pg: Client, sql: string, params: unknown[] = []): Promise<number> {
  return (await pg.query(sql, params)).rows[0].n as number;
}

/** The bare claim loop: TIMER_CLAIM_SQL, batches of 100, a transaction each, no handler. */
async function bareClaimLoop(pg: Client): Promise<{ rows: number; seconds: number }> {
  const started = Date.now();
  let rows = 0;
  for (;;) {
    await pg.query('BEGIN');
    const { rowCount } = await pg.query(TIMER_CLAIM_SQL, [new Date(), BATCH]);
    await pg.query('COMMIT');
    rows += rowCount ?? 0;
    if (!rowCount) break;
  }
  return { rows, seconds: (Date.now() - started) / 1000 };
}

/** Median wall time of `n` idle claim ticks (BEGIN; claim; COMMIT with nothing due). */
async function idleTicks(pg: Client, n: number): Promise<{ medianMs: number; maxMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = process.hrtime.bigint();
    await pg.query('BEGIN');
    const { rowCount } = await pg.query(TIMER_CLAIM_SQL, [new Date(), BATCH]);
    await pg.query('COMMIT');
    if (rowCount) throw new Error('an idle tick found due timers');
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(n / 2)]!, maxMs: times.at(-1)! };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      parcels: { type: 'string', default: '1000000' },
      'stale-per-mille': { type: 'string', default: '15' },
      // TIMER_CONCURRENCY of the service under test (its default is 1)
      concurrency: { type: 'string', default: '1' },
      // a V8 CPU profile of the service (.local/bench/claims-profile/*.cpuprofile, open in Chrome DevTools)
      profile: { type: 'boolean', default: false },
    },
  });
  const parcels = Number(values.parcels);
  const stalePerMille = Number(values['stale-per-mille']);
  const concurrency = Number(values.concurrency);
  const runId = randomBytes(3).toString('hex');
  const group = `bench-claims-${runId}`;
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const machine = describeMachine();
  const out = (line = '') => process.stdout.write(`${line}\n`);

  const kafka = createKafka({ brokers, clientId: group, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [CARRIER_TRACKING_TOPIC, NOTIFICATION_OUTREACH_TOPIC, CLAIMS_CLAIM_TOPIC]);
  // the service's group starts at the topics' ends: what earlier runs or tests left on the broker
  // is not this benchmark's work (a stale parcel in it would open a claim and spoil the count)
  for (const topic of [CARRIER_TRACKING_TOPIC, NOTIFICATION_OUTREACH_TOPIC]) {
    const ends = await waitFor(() => admin.fetchTopicOffsets(topic.name).catch(() => undefined), {
      timeoutMs: 30_000,
      intervalMs: 500,
      description: `${topic.name} offsets`,
    });
    await admin.setOffsets({
      groupId: group,
      topic: topic.name,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  }
  await admin.disconnect();

  const db = await createTestDatabase('bench_claims');
  const service = new ServiceProcess(
    'claims',
    await freePort(),
    {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: group,
      KAFKA_CONSUMER_GROUP: group,
      AUTH_DEV_TOKEN_KEY: randomBytes(32).toString('base64url'),
      AUTH_API_KEY_PEPPERS: `p1=${randomBytes(32).toString('base64url')}`,
      TIMER_POLL_INTERVAL_MS: '200',
      TIMER_CONCURRENCY: String(concurrency),
      LOG_LEVEL: 'warn',
      ...(values.profile
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(LOG_DIR, 'claims-profile')}` }
        : {}),
    },
    LOG_DIR,
  );
  const pg = new Client({ connectionString: db.url });
  try {
    service.migrate();
    await pg.connect();

    // --- seed ---------------------------------------------------------------------------------
    let t0 = Date.now();
    await pg.query(SEED_SQL, [parcels, stalePerMille]);
    await pg.query(SEED_TIMES_SQL);
    await pg.query(INSERT_PARCELS_SQL);
    const parcelSeconds = (Date.now() - t0) / 1000;
    t0 = Date.now();
    await pg.query(`CREATE UNLOGGED TABLE bench_timers AS ${TIMERS_OF}`);
    await pg.query(
      `INSERT INTO timers (key, kind, due_at, payload) SELECT key, kind, due_at, payload FROM bench_timers WHERE NOT due`,
    );
    await pg.query(`DELETE FROM bench_timers WHERE NOT due`);
    const timerSeconds = (Date.now() - t0) / 1000;
    await pg.query('VACUUM ANALYZE claims_parcels');
    await pg.query('VACUUM ANALYZE timers');
    const stale = await count(pg, `SELECT count(*)::int AS n FROM bench_timers`);
    const staleByKind = (
      await pg.query(`SELECT kind, count(*)::int AS n FROM bench_timers GROUP BY kind ORDER BY kind`)
    ).rows as Array<{ kind: string; n: number }>;
    const pendingTimers = await count(pg, `SELECT count(*)::int AS n FROM timers`);
    const tracked = await count(pg, `SELECT count(*)::int AS n FROM claims_parcels`);
    const insertDue = () =>
      pg.query(
        `INSERT INTO timers (key, kind, due_at, payload) SELECT key, kind, due_at, payload FROM bench_timers`,
      );

    out(`machine            ${machine}`);
    out(
      `seeded             ${fmt(tracked)} parcels in ${parcelSeconds.toFixed(1)} s, ${fmt(pendingTimers)} future detection timers in ${timerSeconds.toFixed(1)} s; ${fmt(stale)} stale parcels (${staleByKind.map((k) => `${k.kind} ${fmt(k.n)}`).join(', ')}), one due timer each, held back`,
    );

    // --- plans (due and idle), before anything else runs -----------------------------------------
    await insertDue();
    await pg.query('ANALYZE timers');
    const sample = (
      await pg.query(
        `SELECT payload->>'parcelId' AS parcel_id, payload->>'tenantId' AS tenant_id, payload->>'lastScanAt' AS scan_iso
           FROM bench_timers WHERE kind = 'claims.detect-no-scan' LIMIT ${BATCH}`,
      )
    ).rows as StaleParcel[];
    const failures: string[] = [];
    const periodicMs: string[] = [];
    const plans: Array<{ name: string; sql: string; params: unknown[]; perTick: boolean }> = [
      {
        name: `timer claim, ${fmt(stale)} due (TIMER_CLAIM_SQL, LIMIT ${BATCH})`,
        sql: TIMER_CLAIM_SQL,
        params: [new Date(), BATCH],
        perTick: true,
      },
      ...PER_TICK_PLANS.map((p) => ({ name: p.name, sql: p.sql, params: p.params(sample), perTick: true })),
    ];
    out();
    for (const p of plans) {
      const { plan } = await explain(pg, p.sql, p.params);
      const seq = seqScans(plan);
      if (p.perTick && seq.length > 0) failures.push(`${p.name}: ${seq.join('; ')}`);
      out(`EXPLAIN (ANALYZE, BUFFERS) ${p.name}${seq.length ? '  <-- SEQ SCAN' : ''}`);
      out(indent(plan));
    }

    // --- baseline: the bare claim loop over the same due rows, same table -------------------------
    const bare = await bareClaimLoop(pg);
    if (bare.rows !== stale) failures.push(`bare loop claimed ${bare.rows} rows, expected ${stale}`);
    await pg.query('VACUUM ANALYZE timers');
    const idleBefore = await idleTicks(pg, 50);
    const idlePlan = await explain(pg, TIMER_CLAIM_SQL, [new Date(), BATCH]);
    if (seqScans(idlePlan.plan).length) failures.push('idle timer claim: Seq Scan');
    out(`EXPLAIN (ANALYZE, BUFFERS) timer claim, nothing due over ${fmt(pendingTimers)} timers`);
    out(indent(idlePlan.plan));

    // --- the sweep through the real service -------------------------------------------------------
    await service.start(120_000);
    // the gauges' first refresh runs at boot; let it finish so the sweep is timed on its own
    await waitFor(
      async () =>
        /portico_claims_scorecard_refreshed_timestamp_seconds({[^}]*})? [1-9]/.test(
          await (await fetch(`${service.baseUrl}/metrics`)).text(),
        ),
      { timeoutMs: 60_000, intervalMs: 200, description: 'first scorecard refresh' },
    );
    const sweepStarted = Date.now();
    await insertDue();
    const due = `SELECT count(*)::int AS n FROM timers WHERE due_at <= now() AND claimed_until IS NULL`;
    await waitFor(async () => (await count(pg, due)) === 0, {
      timeoutMs: 600_000,
      intervalMs: 100,
      description: 'every due detection timer fired',
    });
    const sweepSeconds = (Date.now() - sweepStarted) / 1000;
    const opened = (
      await pg.query(`SELECT reason, count(*)::int AS n FROM claims_claims GROUP BY reason ORDER BY reason`)
    ).rows as Array<{ reason: string; n: number }>;
    const openedTotal = opened.reduce((s, r) => s + r.n, 0);
    const expectReasons = {
      no_scan: staleByKind.find((k) => k.kind === 'claims.detect-no-scan')?.n ?? 0,
      past_estimated_delivery: staleByKind.find((k) => k.kind === 'claims.detect-past-edd')?.n ?? 0,
    };
    for (const [reason, n] of Object.entries(expectReasons)) {
      const got = opened.find((r) => r.reason === reason)?.n ?? 0;
      if (got !== n) failures.push(`${reason}: ${got} claims opened, expected ${n}`);
    }
    if (openedTotal !== stale) failures.push(`${openedTotal} claims opened, expected ${stale}`);
    const outbox = await count(pg, `SELECT count(*)::int AS n FROM outbox`);
    const idleAfter = await idleTicks(pg, 50);
    const idleAfterPlan = await explain(pg, TIMER_CLAIM_SQL, [new Date(), BATCH]);
    if (seqScans(idleAfterPlan.plan).length) failures.push('idle timer claim after the sweep: Seq Scan');
    out(`EXPLAIN (ANALYZE, BUFFERS) timer claim, nothing due, after the sweep`);
    out(indent(idleAfterPlan.plan));

    // --- periodic, not per tick (now that 15,000 claims exist): scorecards and the pending gauge ---
    const to = new Date();
    const window = { from: new Date(to.getTime() - 30 * 86_400_000), to };
    const all = scorecardQueries({ tenantId: null, period: window });
    const one = scorecardQueries({ tenantId: 'ten_bench_3', period: window });
    for (const [name, sql, params] of [
      [
        'scorecard gauges: cohort size, every tenant, 30 d (every SCORECARD_REFRESH_MS)',
        all.tracked,
        all.params,
      ],
      ['scorecard gauges: cohort claims, every tenant, 30 d', all.claims, all.params],
      ['scorecard API: cohort size, one tenant, 30 d (per request)', one.tracked, one.params],
      ['scorecard API: cohort claims, one tenant, 30 d', one.claims, one.params],
      [
        'portico_timers_pending gauge (per /metrics scrape, libs/timers)',
        'SELECT count(*)::int AS n FROM timers',
        [],
      ],
    ] as const) {
      const { plan, ms } = await explain(pg, sql, [...params]);
      periodicMs.push(`${name.split(' (')[0]} ${ms.toFixed(0)} ms`);
      out(`EXPLAIN (ANALYZE, BUFFERS) ${name}  [${ms.toFixed(0)} ms]`);
      out(indent(plan));
    }

    const bareRate = bare.rows / bare.seconds;
    const pass = sweepSeconds < TARGET_SWEEP_SECONDS && failures.length === 0;
    out();
    out(`machine            ${machine}`);
    out(
      `load now           ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min)`,
    );
    out(
      `parcels            ${fmt(tracked)} tracked, ${fmt(pendingTimers)} detection timers pending, ${fmt(stale)} stale (${((stale / tracked) * 100).toFixed(2)} %)`,
    );
    out(
      `bare claim loop    ${fmt(bare.rows)} due rows in ${bare.seconds.toFixed(2)} s (${fmt(bareRate)} rows/s): TIMER_CLAIM_SQL, batches of ${BATCH}, no handler`,
    );
    out(
      `sweep              ${fmt(stale)} due timers fired in ${sweepSeconds.toFixed(1)} s (${fmt(stale / sweepSeconds)} timers/s, TIMER_CONCURRENCY ${concurrency}, poll 200 ms)  [target < ${TARGET_SWEEP_SECONDS} s]`,
    );
    out(`sweep / bare       ${(sweepSeconds / bare.seconds).toFixed(1)}x the bare loop's time`);
    out(
      `claims opened      ${opened.map((r) => `${r.reason} ${fmt(r.n)}`).join(', ')} = ${fmt(openedTotal)}  [must equal the stale parcels: ${fmt(stale)}]; ${fmt(outbox)} outbox rows left`,
    );
    out(
      `idle tick          median ${idleBefore.medianMs.toFixed(2)} ms, max ${idleBefore.maxMs.toFixed(2)} ms before; median ${idleAfter.medianMs.toFixed(2)} ms, max ${idleAfter.maxMs.toFixed(2)} ms after the sweep (nothing due, ${fmt(pendingTimers)}+ timers)`,
    );
    out(
      `seq scans          ${failures.some((f) => f.includes('Seq Scan')) ? 'FOUND on a per-tick query' : 'none on claims_parcels or timers in any per-tick plan'}`,
    );
    for (const f of failures) out(`failure            ${f}`);
    out(`result             ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass) process.exitCode = 1;
  } finally {
    await service.stop();
    await pg.end().catch(() => undefined);
    await db.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
