// Hold prediction against the real broker and Postgres: the service runs as in production
// (bootstrapService, its migrations, its own consumer group). Outcomes are published as tracking
// events onto the shared carrier.tracking.v1 topic, predictions are read back from clearance.case.v1,
// settings go through the HTTP API, and the report command runs on a database seeded with a known
// answer. The seeded lane (origin QZ, a user-assigned ISO code no real parcel uses, and a carrier
// code unique per run) keeps other suites' parcels on the shared topic out of this test's cells.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, clearance, common, parcelRef } from '@portico/contracts';
import { runMigrations } from '@portico/service-kit';
import { createTestDatabase, waitFor } from '@portico/testing';
import { REPO_ROOT } from '@portico/testing/platform';
import { Client } from 'pg';
import { migrations } from '../../migrations';
import { startClearanceApp, type ClearanceApp } from '../test-support/clearance-app';
import { trackingEvent, type TrackingInit } from '../test-support/clearance-it';
import { runPredictorReport } from './predictor-report';

const run = randomBytes(4).toString('hex');
const MINUTE = 60_000;
const TENANT = `ten_pr_${run}`;
const OTHER_TENANT = `ten_pr_other_${run}`;
const CARRIER = `pr-${run}`;
const ORIGIN = 'QZ';
const MODEL = 'beta-backoff/k=20/p0=0.1/v1';

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('clearance: hold prediction (real Kafka + Postgres)', () => {
  const ref = (name: string) => parcelRef(CARRIER, `PR${run}${name}`.toUpperCase());
  const predicted = { likely: ref('P1'), unlikely: ref('P2'), other: ref('P3') };
  let app: ClearanceApp;
  let pg: Client;

  const track = (r: common.ParcelRef, init: TrackingInit) =>
    trackingEvent(r, TENANT, {
      shipment: create(carrier.ShipmentDetailsSchema, {
        originCountryCode: ORIGIN,
        destinationCountryCode: 'CN',
        // 1280 CNY: band 1000-5000
        declaredValue: create(common.MoneySchema, { currencyCode: 'CNY', amountMinor: 128_000n }),
      }),
      ...init,
    });
  const at = (minutesAgo: number) => timestampFromDate(new Date(Date.now() - minutesAgo * MINUTE));
  const inTransit = (r: common.ParcelRef, minutesAgo = 0) =>
    track(r, { status: carrier.TrackingStatus.IN_TRANSIT, occurredAt: at(minutesAgo), rawStatusCode: 'IT' });
  const documentHold = (r: common.ParcelRef, minutesAgo = 0) =>
    track(r, {
      status: carrier.TrackingStatus.CUSTOMS_HOLD,
      customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      occurredAt: at(minutesAgo),
      rawStatusCode: 'CUSTOMS_ID_REQUIRED',
    });
  const delivered = (r: common.ParcelRef, minutesAgo = 0) =>
    track(r, { status: carrier.TrackingStatus.DELIVERED, occurredAt: at(minutesAgo), rawStatusCode: 'DL' });

  async function publish(message: ReturnType<typeof track>, r: common.ParcelRef, eventId?: string) {
    return (await app.harness.publishTrackingEvent(message, r, TENANT, { eventId })).eventId;
  }

  async function processed(...eventIds: string[]): Promise<boolean> {
    return (await Promise.all(eventIds.map((id) => app.processed(id)))).every(Boolean);
  }

  async function laneCounts(carrierCode: string) {
    const { rows } = await pg.query(
      `SELECT sum(resolved)::int AS resolved, sum(held)::int AS held FROM clearance_hold_counts
        WHERE destination_country_code = 'CN' AND origin_country_code = $1 AND carrier_code = $2
          AND value_band = '1000-5000'`,
      [ORIGIN, carrierCode],
    );
    return rows[0];
  }

  async function historyOf(parcelId: string) {
    const { rows } = await pg.query(
      `SELECT carrier_code, origin_country_code, destination_country_code, value_band, held_at, resolved_at,
              predicted_probability, model_version, prediction_threshold, prediction_emitted, prediction_id
         FROM clearance_hold_history WHERE tenant_id = $1 AND parcel_id = $2`,
      [TENANT, parcelId],
    );
    return rows[0];
  }

  const predictionsOf = (parcelId: string) =>
    app.harness.events(parcelId).filter((r) => r.event.event.case === 'holdPredicted');

  const personToken = (roles: string[], tenantId?: string) => app.personToken(roles, tenantId);

  async function call(method: 'GET' | 'PUT', pathAndQuery: string, token?: string, body?: unknown) {
    const res = await fetch(`${app.url}${pathAndQuery}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  beforeAll(async () => {
    app = await startClearanceApp(`prediction-${run}`, {
      PREDICTION_DEFAULT_THRESHOLD: '0.5',
      LOG_LEVEL: 'info',
    });
    pg = app.pg;
    app.harness.watch(...Object.values(predicted).map((p) => p.parcelId));
  }, 120_000);

  afterAll(() => app?.close(), 60_000);

  it('learns outcomes from the tracking stream: first document hold and first outcome only', async () => {
    // The platform's older history, coarse cells only (as if from months of other lanes): 10 % of all
    // parcels and half of those into CN were held. Seeded large so that other suites' parcels landing
    // in these cells meanwhile cannot move the estimate at the precision asserted below.
    await pg.query(
      `INSERT INTO clearance_hold_counts
         (destination_country_code, origin_country_code, carrier_code, value_band, shard, resolved, held)
       VALUES ('*', '*', '*', '*', 0, 1000000, 100000), ('CN', '*', '*', '*', 0, 100000, 50000)`,
    );

    // 12 parcels of the lane: 9 held for documents (one of them scanned twice and redelivered),
    // 3 delivered without a hold (one of them delivered twice).
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = ref(`H${i}`);
      if (i < 9) ids.push(await publish(documentHold(r, 60 - i), r));
      else ids.push(await publish(delivered(r, 60 - i), r));
    }
    const twiceHeld = ref('H0');
    const first = ids[0]!;
    ids.push(await publish(documentHold(twiceHeld, 30), twiceHeld));
    await publish(documentHold(twiceHeld, 60), twiceHeld, first);
    const twiceDelivered = ref('H11');
    ids.push(await publish(delivered(twiceDelivered, 20), twiceDelivered));
    await waitFor(() => processed(...ids), { timeoutMs: 45_000, description: 'the lane history processed' });

    expect(await laneCounts(CARRIER)).toEqual({ resolved: 12, held: 9 });
    expect(await historyOf(twiceHeld.parcelId)).toMatchObject({
      carrier_code: CARRIER,
      origin_country_code: ORIGIN,
      destination_country_code: 'CN',
      value_band: '1000-5000',
      held_at: expect.any(Date),
      prediction_emitted: false,
      predicted_probability: null,
    });
    const h0 = await historyOf(twiceHeld.parcelId);
    // the first hold's time, not the rescan's
    expect(Math.round((Date.now() - h0.held_at.getTime()) / MINUTE)).toBe(60);
    expect(h0.resolved_at).toEqual(h0.held_at);
  });

  it('emits HoldPredicted once for an in-transit parcel of the lane, with probability, threshold and model version', async () => {
    const r = predicted.likely;
    const eventId = await publish(inTransit(r, 5), r);
    await waitFor(() => processed(eventId), { timeoutMs: 30_000, description: 'in-transit event processed' });
    // the same record again (redelivery) and a later scan: neither estimates nor emits again
    await publish(inTransit(r, 5), r, eventId);
    const rescan = await publish(inTransit(r, 1), r);
    await waitFor(() => processed(rescan), { timeoutMs: 30_000, description: 'rescan processed' });
    await waitFor(() => predictionsOf(r.parcelId).length >= 1, {
      timeoutMs: 30_000,
      description: 'HoldPredicted',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a duplicate would show up by now

    // all 1e6 → 0.1; CN (50000 + 2)/100020 = 0.49992; lane/carrier/cell 9 of 12 held:
    // (9 + 20·0.49992)/32 = 0.59370, (9 + 20·0.59370)/32 = 0.65231, (9 + 20·0.65231)/32 = 0.68894
    const records = predictionsOf(r.parcelId);
    expect(records).toHaveLength(1);
    const event = records[0]!.event.event.value as clearance.HoldPredicted;
    expect(event.probability).toBeCloseTo(0.68894, 4);
    expect(event).toMatchObject({
      tenantId: TENANT,
      threshold: 0.5,
      modelVersion: MODEL,
      likelyDocuments: [common.DocumentType.RESIDENT_ID_CARD],
      propertyId: '',
    });
    expect(event.predictionId).toMatch(/^hp_[0-9a-f]{32}$/);
    expect(event.parcel).toMatchObject({ parcelId: r.parcelId, carrierCode: CARRIER });

    const row = await historyOf(r.parcelId);
    expect(row).toMatchObject({
      prediction_emitted: true,
      prediction_id: event.predictionId,
      model_version: MODEL,
      prediction_threshold: 0.5,
      held_at: null,
    });
    expect(row.predicted_probability).toBe(event.probability);

    // span attributes, one log line without the tracking number, the counter
    const span = app.spans
      .getFinishedSpans()
      .find((s) => s.attributes['portico.prediction.probability'] !== undefined);
    expect(span?.attributes['portico.parcel_id']).toBe(r.parcelId);
    expect(span?.attributes['portico.prediction.probability']).toBe(event.probability);
    const lines = app.log
      .text()
      .split('\n')
      .filter((l) => l.includes('"msg":"hold predicted"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ parcelId: r.parcelId, predictionId: event.predictionId });
    expect(app.log.text()).not.toContain(r.trackingNumber);
    const metrics = await app.metrics();
    expect(metrics).toMatch(
      /portico_clearance_holds_predicted_total\{model_version="beta-backoff\/k=20\/p0=0.1\/v1"[^}]*\} 1\b/,
    );
  });

  it('validates and applies the settings API', async () => {
    const manager = await personToken(['manager'], TENANT);
    const operator = await personToken(['operator']);

    expect((await call('GET', '/v1/prediction-settings', manager)).body).toEqual({
      tenantId: TENANT,
      threshold: 0.5,
      enabled: true,
      source: 'default',
      updatedAt: null,
    });

    for (const body of [{ threshold: 1.5 }, { threshold: 0 }, {}, { threshold: 0.7, colour: 'red' }]) {
      const bad = await call('PUT', '/v1/prediction-settings', manager, body);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({
        code: 'validation_failed',
        message: { en: expect.any(String), zh: expect.any(String) },
      });
    }
    const noTenant = await call('PUT', '/v1/prediction-settings', operator, { threshold: 0.9 });
    expect([noTenant.status, noTenant.body.error.code]).toEqual([400, 'tenant_required']);
    expect(noTenant.body.error.message.zh).toEqual(expect.any(String));
    const stranger = await call(
      'PUT',
      '/v1/prediction-settings',
      await personToken(['manager'], OTHER_TENANT),
      {
        tenantId: TENANT,
        threshold: 0.1,
      },
    );
    expect([stranger.status, stranger.body.error.code]).toEqual([403, 'tenant_mismatch']);
    expect(
      (
        await call('PUT', '/v1/prediction-settings', await personToken(['steward'], TENANT), {
          threshold: 0.9,
        })
      ).status,
    ).toBe(403);
    expect((await call('GET', '/v1/prediction-settings')).status).toBe(401);

    const put = await call('PUT', '/v1/prediction-settings', manager, { threshold: 0.9 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ tenantId: TENANT, threshold: 0.9, enabled: true, source: 'tenant' });
    const seen = await call('GET', `/v1/prediction-settings?tenantId=${TENANT}`, operator);
    expect(seen.body).toEqual(put.body);
    expect((await call('GET', `/v1/prediction-settings?tenantId=${TENANT}`, manager)).body).toEqual(put.body);
    // unchanged by an update of the other field
    const disabled = await call('PUT', '/v1/prediction-settings', operator, {
      tenantId: OTHER_TENANT,
      enabled: false,
    });
    expect(disabled.body).toMatchObject({ tenantId: OTHER_TENANT, threshold: 0.5, enabled: false });
  });

  it('emits nothing below the tenant threshold, but keeps the estimate for the report', async () => {
    // TENANT's threshold is 0.9 now (previous test); the lane's estimate is about 0.689.
    const r = predicted.unlikely;
    const eventId = await publish(inTransit(r, 2), r);
    await waitFor(() => processed(eventId), { timeoutMs: 30_000, description: 'in-transit event processed' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(predictionsOf(r.parcelId)).toHaveLength(0);
    const row = await historyOf(r.parcelId);
    expect(row).toMatchObject({ prediction_emitted: false, prediction_id: null, prediction_threshold: 0.9 });
    expect(row.predicted_probability).toBeCloseTo(0.68894, 4);
  });

  it('prints precision and recall of a seeded history with a known answer, and fails clearly without a database', async () => {
    const reportDb = await createTestDatabase('clearance-report');
    try {
      await runMigrations({ serviceName: 'clearance', databaseUrl: reportDb.url }, migrations);
      const seed = new Client({ connectionString: reportDb.url });
      await seed.connect();
      try {
        const T0 = Date.UTC(2026, 9, 1);
        const t = (minutes: number) => new Date(T0 + minutes * MINUTE);
        const rows: unknown[][] = [];
        const add = (
          tenant: string,
          lane: string[],
          seen: number,
          held: number | null,
          resolved: number | null,
          emitted = false,
        ) =>
          rows.push([
            tenant,
            `prc_${rows.length}`,
            ...lane,
            t(seen),
            held === null ? null : t(held),
            resolved === null ? null : t(resolved),
            emitted,
          ]);
        const A = ['sf-express', 'JP', 'CN', '1000-5000'];
        const B = ['ups', 'DE', 'US', '<200'];
        // training: 100 parcels of A all held, 100 of B all delivered
        for (let i = 0; i < 100; i++) {
          add('ten_a', A, i, 500 + i, 500 + i);
          add('ten_a', B, i, null, 500 + i);
        }
        // scored from minute 1000: A 8 of 10 held (ten_b), B 1 of 10 held (ten_a); 1 still open
        for (let i = 0; i < 10; i++) {
          add('ten_b', A, 1000 + i, i < 8 ? 2000 + i : null, 2000 + i, i < 5);
          add('ten_a', B, 1000 + i, i < 1 ? 2000 + i : null, 2000 + i);
        }
        add('ten_a', A, 1500, null, null);
        for (const r of rows) {
          const emitted = r[9] as boolean;
          await seed.query(
            `INSERT INTO clearance_hold_history (tenant_id, parcel_id, carrier_code, origin_country_code,
               destination_country_code, value_band, first_seen_at, held_at, resolved_at, prediction_emitted,
               prediction_id, predicted_at, predicted_probability, model_version, prediction_threshold)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [
              ...r,
              emitted ? `hp_${r[1]}` : null,
              ...(emitted ? [r[6], 0.99, MODEL, 0.9] : [null, null, null, null]),
            ],
          );
        }
        await seed.query(
          `INSERT INTO clearance_prediction_settings (tenant_id, threshold, enabled) VALUES ('ten_b', 0.9, true)`,
        );
      } finally {
        await seed.end();
      }

      const out: string[] = [];
      const err: string[] = [];
      const sink = (into: string[]) => ({ write: (s: string) => into.push(s) });
      const code = await runPredictorReport(
        [
          '--from',
          new Date(Date.UTC(2026, 9, 1) + 1000 * MINUTE).toISOString(),
          '--thresholds',
          '0.5,0.9,0.99',
        ],
        { DATABASE_URL: reportDb.url, PREDICTION_DEFAULT_THRESHOLD: '0.6' },
        sink(out),
        sink(err),
      );
      const text = out.join('');
      expect([code, err.join('')]).toEqual([0, '']);
      expect(text).toContain(`Hold predictor report (${MODEL})`);
      expect(text).toMatch(/Scored parcels: 20 .*held for documents: 9; base rate: 0\.450/);
      expect(text).toMatch(/Left out, no outcome yet: 1$/m);
      // precision 8/10, recall 8/9, F1 0.842 at every listed threshold (A ≈ 0.9996, B ≈ 0.0001)
      for (const threshold of ['0.50', '0.90', '0.99']) {
        expect(text).toMatch(
          new RegExp(
            `^${threshold.replace('.', '\\.')}\\s+10\\s+8\\s+2\\s+1\\s+9\\s+0\\.800\\s+0\\.889\\s+0\\.842$`,
            'm',
          ),
        );
      }
      // per tenant at its own threshold: ten_a the default 0.6, ten_b its 0.9
      expect(text).toMatch(/^ten_a\s+0\.60\s+10\s+1\s+0\s+0\s+1\s+9\s+-\s+0\.000\s+-$/m);
      expect(text).toMatch(/^ten_b\s+0\.90\s+10\s+8\s+8\s+2\s+0\s+0\s+0\.800\s+1\.000\s+0\.889$/m);
      expect(text).toMatch(
        /Live: 5 HoldPredicted emitted for scored parcels, 5 of them held \(precision 1\.000\)/,
      );

      const usage: string[] = [];
      expect(
        await runPredictorReport(
          ['--thresholds', '2'],
          { DATABASE_URL: reportDb.url },
          sink([]),
          sink(usage),
        ),
      ).toBe(2);
      expect(usage.join('')).toMatch(/--thresholds: "2" is not a number above 0 and at most 1/);
    } finally {
      await reportDb.drop().catch(() => undefined);
    }

    // The command itself, as a process, against a port nothing listens on.
    const child = spawn(
      process.execPath,
      [
        '-r',
        path.join(REPO_ROOT, 'libs/messaging/src/test-support/ts-require-hook.js'),
        path.join(__dirname, 'predictor-report.ts'),
      ],
      {
        env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/portico_clearance' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(exitCode).toBe(1);
    expect(stderr).toContain('cannot reach PostgreSQL at 127.0.0.1:1/portico_clearance (ECONNREFUSED)');
  }, 90_000);
});
