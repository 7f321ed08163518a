// ParcelsRepository.upsertMany against real Postgres: the one MERGE per chunk must leave every
// parcel exactly where folding its updates one by one (applyTrackingUpdate, the rule the
// per-record path ran) leaves it — for unknown and stored parcels, late and out-of-order scans,
// equal times, hints now and then — and must not touch the resolution columns.
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { migrations } from '../../migrations';
import {
  applyTrackingUpdate,
  foldTrackingRuns,
  type ParcelProjection,
  type StoredResolution,
  type TrackingUpdate,
} from './parcel-projection';
import { ParcelsRepository } from './parcels.repository';
import { eventId, prng, randomUpdates } from './test-support/tracking-updates';

const TENANTS = ['ten_merge_a', 'ten_merge_b'];
const RESOLUTION: StoredResolution = {
  propertyId: 'prop_m',
  unitId: 'unit_m',
  residentId: 'res_m',
  method: 'address_match',
};

/**
 * A one-connection database (its statements' counts reach pg_stat_user_tables when it flushes) whose
 * parcel_projection got `size` parcels of one tenant after its (empty) statistics, as where
 * autovacuum lags or is off; `tuplesRead` counts the table's tuples read so far, `ids(n)` the first
 * n parcel ids.
 */
async function grownProjection(prefix: string, tenantId: string, size: number) {
  const db = await createMigratedTestDatabase(prefix, migrations, { poolSize: 1 });
  await db.dataSource.query(
    `INSERT INTO parcel_projection (tenant_id, parcel_id, carrier_code, tracking_number, status,
                                    status_occurred_at, last_event_id)
     SELECT $1, 'prc_' || md5(g::text), 'demo', 'T' || g, 'in_transit', now(), gen_random_uuid()
       FROM generate_series(1, $2::int) AS g`,
    [tenantId, size],
  );
  return {
    db,
    tuplesRead: async () => {
      await db.dataSource.query('SELECT pg_stat_force_next_flush()');
      const [row] = (await db.dataSource.query(
        `SELECT (seq_tup_read + coalesce(idx_tup_fetch, 0))::int AS n
           FROM pg_stat_user_tables WHERE relname = 'parcel_projection'`,
      )) as { n: number }[];
      return row!.n;
    },
    ids: async (n: number) =>
      (
        (await db.dataSource.query(
          `SELECT 'prc_' || md5(g::text) AS id FROM generate_series(1, $1::int) AS g`,
          [n],
        )) as { id: string }[]
      ).map((r) => r.id),
  };
}

describe('parcel projection: one statement per chunk (real Postgres)', () => {
  let db: MigratedTestDatabase;
  const repository = new ParcelsRepository();

  beforeAll(async () => {
    db = await createMigratedTestDatabase('notification_parcels', migrations);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  const readAll = async (): Promise<Map<string, ParcelProjection>> => {
    const all = new Map<string, ParcelProjection>();
    await db.dataSource.transaction(async (m) => {
      for (const tenantId of TENANTS) {
        const ids = (
          (await m.query(`SELECT parcel_id FROM parcel_projection WHERE tenant_id = $1`, [
            tenantId,
          ])) as Array<{
            parcel_id: string;
          }>
        ).map((r) => r.parcel_id);
        for (const [id, p] of await repository.findManyForUpdate(m, tenantId, ids))
          all.set(`${tenantId}/${id}`, p);
      }
    });
    return all;
  };

  it('leaves every parcel where the one-by-one fold does, over 12 chunks of 50 random updates', async () => {
    const random = prng(42);
    const parcels = Array.from({ length: 40 }, (_, i) => ({
      tenantId: TENANTS[i % 2]!,
      parcelId: `prc_merge_${String(i).padStart(4, '0')}`,
    }));
    const expected = new Map<string, ParcelProjection | undefined>();
    for (let chunk = 0; chunk < 12; chunk += 1) {
      // interleaved updates of a few parcels, in per-parcel order, as one partition delivers them
      const updates: TrackingUpdate[] = [];
      while (updates.length < 50) {
        const parcel = parcels[Math.floor(random() * parcels.length)]!;
        updates.push(...randomUpdates(random, 1 + Math.floor(random() * 3), parcel));
      }
      await db.dataSource.transaction((m) => repository.upsertMany(m, foldTrackingRuns(updates)));
      for (const u of updates) {
        const key = `${u.tenantId}/${u.parcelId}`;
        expected.set(key, applyTrackingUpdate(expected.get(key), u));
      }
      // resolve a few parcels between chunks: a tracking chunk must never clear that
      if (chunk === 3) {
        for (const p of parcels.slice(0, 10)) {
          await db.dataSource.transaction((m) =>
            repository.markResolved(m, p.tenantId, p.parcelId, RESOLUTION, new Date()),
          );
          const key = `${p.tenantId}/${p.parcelId}`;
          const e = expected.get(key);
          if (e) expected.set(key, { ...e, resolution: RESOLUTION });
        }
      }
    }
    const stored = await readAll();
    const want = new Map([...expected].filter((entry): entry is [string, ParcelProjection] => !!entry[1]));
    expect(stored.size).toBe(want.size);
    expect(stored.size).toBeGreaterThan(30);
    for (const [key, projection] of want) expect([key, stored.get(key)]).toEqual([key, projection]);
  });

  it('locks a chunk of parcels by one key probe each, also on a table grown since its statistics', async () => {
    const tenantId = 'ten_lookup';
    const {
      db: single,
      tuplesRead,
      ids,
    } = await grownProjection('notification_parcels_lookup', tenantId, 20_000);
    try {
      const wanted = await ids(40);
      const asked = [...wanted, 'prc_' + '0'.repeat(32)]; // and one nobody knows
      const before = await tuplesRead();
      const found = await single.dataSource.transaction((m) =>
        repository.findManyForUpdate(m, tenantId, [...asked].reverse()),
      );
      expect([...found.keys()]).toEqual([...wanted].sort());
      expect(found.get(wanted[0]!)).toMatchObject({ tenantId, trackingNumber: 'T1' });
      // a scan of the tenant's parcels (the plan of `parcel_id = ANY(ids)` here) reads all 20,000
      expect((await tuplesRead()) - before).toBeLessThan(200);
    } finally {
      await single.drop();
    }
  }, 120_000);

  it('upserts a chunk by key probes in key order where the planner would hash-join a scan', async () => {
    const tenantId = 'ten_merge_plan';
    // at 2,000 parcels a hash join over a sequential scan looks cheaper than 45 probes: it reads the
    // whole table, and locks the rows in heap order, not in key order
    const {
      db: single,
      tuplesRead,
      ids,
    } = await grownProjection('notification_parcels_merge', tenantId, 2_000);
    try {
      // the 40 known parcels delivered, 5 new ones, in one MERGE
      const later = new Date(Date.now() + 60_000);
      const fresh = Array.from({ length: 5 }, (_, i) => `prc_${String(i).padStart(32, 'f')}`);
      const updates: TrackingUpdate[] = [...(await ids(40)), ...fresh].map((id) => ({
        eventId: eventId(),
        tenantId,
        parcelId: id,
        carrierCode: 'demo',
        trackingNumber: `T${id.slice(-6)}`,
        status: 'delivered',
        occurredAt: later,
        late: false,
        hint: null,
      }));
      const before = await tuplesRead();
      await single.dataSource.transaction((m) => repository.upsertMany(m, foldTrackingRuns(updates)));
      expect((await tuplesRead()) - before).toBeLessThan(200);
      const [counts] = (await single.dataSource.query(
        `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*)::int AS total
           FROM parcel_projection`,
      )) as { delivered: number; total: number }[];
      expect(counts).toEqual({ delivered: 45, total: 2_005 });
    } finally {
      await single.drop();
    }
  }, 120_000);

  it('fails, rather than overwrite, when another transaction inserts one of its parcels meanwhile', async () => {
    const parcel = { tenantId: TENANTS[0]!, parcelId: 'prc_merge_race' };
    const [theirs] = randomUpdates(prng(1), 1, parcel);
    const ours = randomUpdates(prng(2), 2, parcel);
    const other = db.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await repository.insertIfAbsent(other.manager, applyTrackingUpdate(undefined, theirs!));
      const merging = db.dataSource.transaction((m) => repository.upsertMany(m, foldTrackingRuns(ours)));
      // the MERGE waits on the other transaction's row; give it time to get there
      await new Promise((r) => setTimeout(r, 300));
      await other.commitTransaction();
      await expect(merging).rejects.toThrow(/duplicate key/);
    } finally {
      await other.release();
    }
    // on its own (the transport's one-by-one path) the same chunk applies on top of the row
    await db.dataSource.transaction((m) => repository.upsertMany(m, foldTrackingRuns(ours)));
    const expected = ours.reduce(applyTrackingUpdate, applyTrackingUpdate(undefined, theirs!));
    expect((await readAll()).get(`${parcel.tenantId}/${parcel.parcelId}`)).toEqual(expected);
  });
});
