// The hold-prediction path folded per chunk (ADR 0013), against real Postgres: the service's own
// CaseConsumer (booted as in production) is handed chunks the way the transport hands them, inside
// a transaction of our own that is rolled back afterwards, so the chunked and the record-by-record
// run start from the same committed database. Statements are counted at the transaction's query
// runner (every EntityManager.query of the handler goes through it), as id-vault's
// upload-queries.int-spec counts round trips.
import { randomBytes, randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, parcelRef, type common } from '@portico/contracts';
import { EventBatchContext, EventContext } from '@portico/messaging';
import type { RunningService } from '@portico/service-kit';
import { DataSource, type QueryRunner } from 'typeorm';
import { CaseConsumer } from '../cases/case.consumer';
import { ConcurrentHistoryWriteError } from './prediction-errors';
import { ClearanceHarness } from '../test-support/clearance-harness';
import { trackingEvent, type TrackingInit } from '../test-support/clearance-it';

const run = randomBytes(4).toString('hex');
const TENANT = `ten_chunk_${run}`;
const OFF_TENANT = `ten_chunk_off_${run}`;
const CARRIER = `ck-${run}`;
const T0 = Date.now() - 24 * 3_600_000;
const at = (minutes: number) => timestampFromDate(new Date(T0 + minutes * 60_000));
const S = carrier.TrackingStatus;

interface Input {
  readonly ref: common.ParcelRef;
  readonly tenantId: string;
  readonly event: carrier.TrackingEventRecorded;
}

type Json = Record<string, unknown>;

describe('clearance: hold prediction folded per chunk (real Postgres)', () => {
  let harness: ClearanceHarness;
  let service: RunningService;
  let consumer: CaseConsumer;
  let dataSource: DataSource;

  const ref = (name: string) => parcelRef(CARRIER, `CK${run}${name}`.toUpperCase());
  const input = (name: string, init: TrackingInit, tenantId = TENANT): Input => {
    const r = ref(name);
    const stream = trackingEvent(r, tenantId, init);
    return { ref: r, tenantId, event: stream.event.value as carrier.TrackingEventRecorded };
  };
  const inTransit = (name: string, minutes: number, extra: TrackingInit = {}, tenantId = TENANT) =>
    input(name, { status: S.IN_TRANSIT, occurredAt: at(minutes), rawStatusCode: 'IT', ...extra }, tenantId);
  const hold = (name: string, minutes: number, reason = carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED) =>
    input(name, {
      status: S.CUSTOMS_HOLD,
      customsHoldReason: reason,
      occurredAt: at(minutes),
      rawStatusCode: 'CH',
    });
  const delivered = (name: string, minutes: number) =>
    input(name, { status: S.DELIVERED, occurredAt: at(minutes), rawStatusCode: 'DL' });

  /** The transport's view of a record: its context in our transaction (no span: runs in place). */
  function contextOf(i: Input, qr: QueryRunner, offset: number): EventContext {
    return new EventContext(
      {
        eventId: randomUUID(),
        eventType: 'portico.carrier.v1.TrackingEventRecorded',
        schema: 'portico.carrier.v1.TrackingStreamEvent',
        occurredAt: new Date(),
        tenantId: i.tenantId,
        key: i.ref.parcelId,
        event: i.event,
        streamMessage: i.event,
        headers: {},
      },
      qr.manager,
      {
        group: harness.group,
        origin: { topic: 'carrier.tracking.v1', partition: 0, offset: String(offset) },
        deliveredFrom: { topic: 'carrier.tracking.v1', partition: 0, offset: String(offset) },
        previousFailures: 0,
      },
    );
  }

  /** What the chunk left in the database (read inside its transaction), comparable across runs. */
  async function snapshot(qr: QueryRunner, parcelIds: string[]) {
    const history = await qr.query(
      `SELECT tenant_id, parcel_id, carrier_code, origin_country_code, destination_country_code, value_band,
              first_seen_at, held_at, resolved_at, predicted_at IS NOT NULL AS predicted, predicted_probability,
              model_version, prediction_threshold, prediction_emitted, prediction_id IS NOT NULL AS has_prediction_id
         FROM clearance_hold_history WHERE parcel_id = ANY($1) ORDER BY tenant_id, parcel_id`,
      [parcelIds],
    );
    const counts = await qr.query(
      `SELECT destination_country_code, origin_country_code, carrier_code, value_band,
              sum(resolved)::int AS resolved, sum(held)::int AS held
         FROM clearance_hold_counts GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    );
    const events = await qr.query(
      `SELECT key, headers->>'event-type' AS type FROM outbox WHERE key = ANY($1) ORDER BY id`,
      [parcelIds],
    );
    const cases = await qr.query(
      `SELECT parcel_id, hold_key, state FROM clearance_cases WHERE parcel_id = ANY($1) ORDER BY parcel_id, hold_key`,
      [parcelIds],
    );
    return {
      history: history as Json[],
      counts: counts as Json[],
      events: events as Json[],
      cases: cases as Json[],
    };
  }

  /**
   * Runs `chunks` (each one handler call, as the transport's chunks and batches of one) in one
   * transaction that is rolled back; what they left and the statements they sent.
   */
  async function runRolledBack(chunks: Input[][]) {
    const qr = dataSource.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    const statements: string[] = [];
    const query = qr.query.bind(qr);
    try {
      qr.query = ((sql: string, ...rest: unknown[]) => {
        statements.push(sql.replace(/\s+/g, ' ').trim());
        return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
      }) as QueryRunner['query'];
      let offset = 0;
      const perChunk: number[] = [];
      for (const chunk of chunks) {
        const before = statements.length;
        const contexts = chunk.map((i) => contextOf(i, qr, offset++));
        await consumer.onTrackingEventsRecorded(
          chunk.map((i) => i.event),
          new EventBatchContext(contexts, qr.manager),
        );
        perChunk.push(statements.length - before);
      }
      qr.query = query;
      const parcelIds = [...new Set(chunks.flat().map((i) => i.ref.parcelId))];
      return { state: await snapshot(qr, parcelIds), statements, perChunk };
    } finally {
      qr.query = query;
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  beforeAll(async () => {
    harness = await ClearanceHarness.start(`chunk-${run}`, { PREDICTION_DEFAULT_THRESHOLD: '0.5' });
    service = await harness.startInstance();
    consumer = service.app.get(CaseConsumer);
    dataSource = service.app.get(DataSource);
    // History: 10 % of all parcels held, but 9 of 10 on the lane JP -> CN with the carrier, so the
    // lane's parcels are estimated above 0.5 and emitted, other lanes' near 0.1 (stored, not emitted).
    await harness.pg.query(
      `INSERT INTO clearance_hold_counts
         (destination_country_code, origin_country_code, carrier_code, value_band, shard, resolved, held)
       VALUES ('*', '*', '*', '*', 0, 1000, 100), ('CN', '*', '*', '*', 0, 1000, 100),
              ('CN', 'JP', '*', '*', 0, 100, 90), ('CN', 'JP', $1, '*', 0, 100, 90),
              ('CN', 'JP', $1, '1000-5000', 0, 100, 90)`,
      [CARRIER],
    );
    await harness.pg.query(
      `INSERT INTO clearance_prediction_settings (tenant_id, threshold, enabled) VALUES ($1, 0.5, false)`,
      [OFF_TENANT],
    );
    // A parcel seen before this chunk (known row, estimated already): its hold updates the row.
    await harness.pg.query(
      `INSERT INTO clearance_hold_history
         (tenant_id, parcel_id, carrier_code, origin_country_code, destination_country_code, value_band,
          first_seen_at, predicted_at, predicted_probability, model_version, prediction_threshold)
       VALUES ($1, $2, $3, 'JP', 'CN', '1000-5000', now() - interval '2 days', now() - interval '2 days',
               0.2, 'beta-backoff/k=20/p0=0.1/v1', 0.5)`,
      [TENANT, ref('KNOWN').parcelId, CARRIER],
    );
  }, 180_000);

  afterAll(() => harness?.stop(), 60_000);

  /** New parcels' first in-transit scans (the bench's load); `name` keeps them apart per call. */
  const scans = (name: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      inTransit(
        `${name}${i}`,
        i,
        // every other parcel off the seeded lane: near the prior, stored without emitting
        i % 2 === 0 ? {} : { shipment: { originCountryCode: 'US', destinationCountryCode: 'CN' } },
      ),
    );

  it('costs a constant number of statements per chunk, whatever its size', async () => {
    // warm the 60 s policy cache (a miss adds one read per tenant and minute)
    await runRolledBack([scans('W', 2)]);
    const small = await runRolledBack([scans('S', 5)]);
    const large = await runRolledBack([scans('L', 45)]);
    const oneByOne = await runRolledBack(scans('R', 45).map((i) => [i]));
    console.log(
      `statements: chunk of 5 = ${small.statements.length}, chunk of 45 = ${large.statements.length}, ` +
        `45 records one by one = ${oneByOne.statements.length}\n` +
        large.statements.map((s) => `  ${s.slice(0, 110)}`).join('\n'),
    );
    // locked read, settings, counts, the write, and the chunk's HoldPredicted in one INSERT
    expect(large.statements).toHaveLength(5);
    expect(small.statements).toHaveLength(5);
    expect(large.statements.filter((s) => s.includes('FOR UPDATE'))).toHaveLength(1);
    // one by one: find, settings, counts and write per record, plus an outbox row per emission
    expect(oneByOne.statements.length).toBeGreaterThanOrEqual(45 * 4);
    expect(large.state.events.filter((e) => e.type === 'portico.clearance.v1.HoldPredicted')).toHaveLength(
      23,
    );
  }, 120_000);

  it('leaves the same rows, counts, cases and events as record by record, in the same order', async () => {
    const chunk: Input[] = [
      // earlier outcomes of the chunk move the counts later parcels are estimated from
      delivered('D1', 0),
      hold('H1', 1),
      // a first sight estimated and emitted, then held and delivered in the same chunk
      inTransit('A', 2),
      hold('A', 3),
      // a duty hold opens a case (no outcome for the predictor), then the first scan is estimated:
      // CaseOpened must stay before HoldPredicted
      hold('B', 4, carrier.CustomsHoldReason.DUTIES_UNPAID),
      inTransit('B', 5),
      // late scans are not estimated; the next timely one is
      inTransit('C', 6, { late: true }),
      inTransit('C', 7),
      // predictions turned off for this tenant
      inTransit('OFF', 8, {}, OFF_TENANT),
      // a parcel known before the chunk: its row is updated
      hold('KNOWN', 9),
      delivered('A', 10),
      inTransit('E', 11),
      // a release of an earlier hold, then a scan of another parcel after it
      delivered('H1', 12),
      inTransit('F', 13),
    ];
    const chunked = await runRolledBack([chunk]);
    const oneByOne = await runRolledBack(chunk.map((i) => [i]));

    expect(chunked.state).toEqual(oneByOne.state);
    // and it is the state the rules describe
    const { history, events, cases } = chunked.state;
    const row = (name: string, tenant = TENANT) =>
      history.find((h) => h.parcel_id === ref(name).parcelId && h.tenant_id === tenant)!;
    expect(row('A')).toMatchObject({ predicted: true, prediction_emitted: true });
    expect(row('A').held_at).not.toBeNull();
    expect(row('OFF', OFF_TENANT)).toMatchObject({ predicted: false, prediction_emitted: false });
    expect(row('C')).toMatchObject({ predicted: true });
    expect(row('KNOWN').held_at).not.toBeNull();
    const typesOf = (name: string) =>
      events.filter((e) => e.key === ref(name).parcelId).map((e) => String(e.type).split('.').pop());
    expect(typesOf('A')).toEqual(['HoldPredicted', 'CaseOpened', 'DocumentsRequested', 'CaseCleared']);
    expect(typesOf('B')).toEqual(['CaseOpened', 'DocumentsRequested', 'HoldPredicted']);
    expect(cases.filter((c) => c.parcel_id === ref('A').parcelId)).toEqual([
      expect.objectContaining({ state: 'cleared' }),
    ]);
    // the chunk's prediction path: lock, settings, counts, one write (outbox rows are the case work's)
    const predictionStatements = chunked.statements.filter((s) =>
      /clearance_hold_history|clearance_hold_counts|clearance_prediction_settings/.test(s),
    );
    expect(predictionStatements).toHaveLength(4);
  }, 120_000);

  it('fails the chunk when another transaction inserted a first sight meanwhile (no counts moved)', async () => {
    const chunk = [hold('RACE', 0), delivered('OTHER', 1)];
    const other = await dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    const countsBefore = await harness.pg.query(`SELECT sum(resolved)::int AS r FROM clearance_hold_counts`);
    try {
      // the other transaction's row is not visible to the chunk's locked read; its INSERT waits for
      // the other transaction and then finds the conflict
      await other.query(
        `INSERT INTO clearance_hold_history
           (tenant_id, parcel_id, carrier_code, origin_country_code, destination_country_code, value_band, first_seen_at)
         VALUES ($1, $2, $3, 'JP', 'CN', '1000-5000', now())`,
        [TENANT, ref('RACE').parcelId, CARRIER],
      );
      // commit once the chunk's statement waits on the other transaction's row
      const commitWhenWaiting = async () => {
        let waited = false;
        for (let i = 0; i < 400 && !waited; i++) {
          const { rows } = await harness.pg.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE wait_event_type = 'Lock' AND datname = current_database()`,
          );
          waited = rows[0].n > 0;
          if (!waited) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        await other.commitTransaction();
        return waited;
      };
      const committed = commitWhenWaiting();
      await expect(runRolledBack([chunk])).rejects.toBeInstanceOf(ConcurrentHistoryWriteError);
      // the race really happened: the chunk's insert waited for the other transaction
      expect(await committed).toBe(true);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
    const countsAfter = await harness.pg.query(`SELECT sum(resolved)::int AS r FROM clearance_hold_counts`);
    expect(countsAfter.rows).toEqual(countsBefore.rows);
    // record by record (what the transport does next) the row is there: the hold marks it
    const retried = await runRolledBack(chunk.map((i) => [i]));
    expect(retried.state.history.find((h) => h.parcel_id === ref('RACE').parcelId)?.held_at).not.toBeNull();
  }, 120_000);
});
