/**
 * The intake's own transactions against real Postgres: the timeouts bound the transaction and end
 * with it (the pooled connection goes back clean), a lock held too long fails the transaction with a
 * retryable error (503 upstream) and rolls it back, named prepared statements run again and again on
 * one connection, and two batches seeing one new parcel at once both get it locked; each statement
 * is planned once per connection (a generic plan), and that plan, made while the parcels table was
 * small, still probes the index once the table has grown.
 */
import { namedStatement, type EncodedOutboxRows } from '@portico/messaging';
import { dataSourceOptions, runMigrations } from '@portico/service-kit';
import { createTestDatabase, type TestDatabase } from '@portico/testing';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { ParcelsRepository } from '../parcels/parcels.repository';
import { unseenParcel, type ParcelScan } from '../parcels/parcel-state';
import { isDatabaseUnavailable } from '../shared/database-errors';
import { PgIntakeTransactions, poolOf } from './intake-transactions';

const SHOW_TIMEOUTS = namedStatement(
  'test_show_timeouts_v1',
  `SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt, $1::int AS n`,
);
const parcel = (hex: string) => `prc_${hex.repeat(32).slice(0, 32)}`;
const scanOf = (parcelId: string, trackingNumber: string): ParcelScan => ({
  parcelId,
  carrierCode: 'demo',
  trackingNumber,
  status: 'in_transit',
  occurredAt: new Date('2026-12-01T00:00:00Z'),
});

describe('PgIntakeTransactions (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('carrier_ingestion_intake_tx');
    const config = { serviceName: 'carrier-ingestion-intake-tx-int', databaseUrl: db.url };
    await runMigrations(config, migrations);
    // one connection: every transaction below reuses the previous one's
    dataSource = new DataSource(dataSourceOptions(config, migrations, { poolSize: 1 }));
    await dataSource.initialize();
    pool = poolOf(dataSource);
  });

  const twoConnectionDataSource = async (serviceName: string) => {
    const source = new DataSource(
      dataSourceOptions({ serviceName, databaseUrl: db.url }, migrations, { poolSize: 2 }),
    );
    return source.initialize();
  };

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it.each([true, false])(
    'bounds statements and lock waits inside the transaction only (prepared statements: %s)',
    async (preparedStatements) => {
      const transactions = new PgIntakeTransactions(() => pool, {
        statementTimeoutMs: 750,
        preparedStatements,
      });
      for (const n of [1, 2]) {
        const [inside] = await transactions.run((tx) =>
          tx.query<{ st: string; lt: string; n: number }>(SHOW_TIMEOUTS, [n]),
        );
        expect(inside).toEqual({ st: '750ms', lt: '750ms', n });
      }
      const [after] = (await dataSource.query(
        `SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt`,
      )) as { st: string; lt: string }[];
      expect(after).toEqual({ st: '0', lt: '0' });
    },
  );

  it('fails a transaction whose lock wait outlasts the bound with a retryable error, and rolls it back', async () => {
    const twoConnections = await twoConnectionDataSource('intake-tx-holder');
    const holder = twoConnections.createQueryRunner();
    try {
      const id = parcel('a');
      await twoConnections.query(
        `INSERT INTO parcels (parcel_id, carrier_code, tracking_number, status, status_occurred_at, first_seen_at, updated_at)
         VALUES ($1, 'demo', 'T1', 'unknown', '-infinity', now(), now())`,
        [id],
      );
      await holder.connect();
      await holder.startTransaction();
      await holder.query('SELECT 1 FROM parcels WHERE parcel_id = $1 FOR UPDATE', [id]);

      const transactions = new PgIntakeTransactions(() => poolOf(twoConnections), {
        statementTimeoutMs: 300,
        preparedStatements: true,
      });
      const repo = new ParcelsRepository();
      const started = Date.now();
      const failure = await transactions
        .run((tx) => repo.lockForUpdate(tx, [unseenParcel(scanOf(id, 'T1'), new Date())]))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // lock_not_available or query_canceled: both bounds are 300 ms, whichever fires first
      expect(['55P03', '57014']).toContain((failure as { code?: string }).code);
      expect(isDatabaseUnavailable(failure)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      await holder.rollbackTransaction();
      // rolled back and back in the pool: the next transaction runs normally
      const [next] = await transactions.run((tx) => tx.query<{ n: number }>(SHOW_TIMEOUTS, [3]));
      expect(next).toMatchObject({ n: 3 });
    } finally {
      await holder.release();
      await twoConnections.destroy();
    }
  });

  it('plans each statement once per connection, an index plan that still probes once the table has grown', async () => {
    const transactions = new PgIntakeTransactions(() => pool, {
      statementTimeoutMs: 5_000,
      preparedStatements: true,
    });
    const repo = new ParcelsRepository();
    const now = new Date('2026-12-01T00:00:00Z');
    const noEvents: EncodedOutboxRows = { values: [[], [], [], [], []], appended: [] };
    // the intake's parcel statements: create-and-lock, then the projection's UPDATE (its history
    // and outbox CTEs get no rows here)
    const lockAndSave = (ids: string[]) =>
      transactions.run(async (tx) => {
        const states = await repo.lockForUpdate(
          tx,
          ids.map((id) => unseenParcel(scanOf(id, id.slice(-6)), now)),
        );
        const moved = [...states.values()].map((s) => ({ ...s, updates: s.updates + 1, lastScanAt: now }));
        await repo.saveWithEvents(tx, moved, now, [], noEvents);
        return states;
      });
    // A generic plan made while the table holds a handful of rows would be a sequential scan (or a
    // hash join over one), kept until the table is analysed: the intake's plan settings rule both out.
    for (let i = 0; i < 8; i++) await lockAndSave([parcel(`d${i}`), parcel(`e${i}`)]);
    await dataSource.query(
      `INSERT INTO parcels (parcel_id, carrier_code, tracking_number, status, status_occurred_at, first_seen_at, updated_at)
       SELECT 'prc_' || md5(g::text), 'demo', 'G' || g, 'unknown', '-infinity', now(), now()
         FROM generate_series(1, 20000) AS g`,
    );
    // the pool's one connection is the one that ran the intake: its statistics reach the view on flush
    const tuplesRead = async () => {
      await dataSource.query('SELECT pg_stat_force_next_flush()');
      const [row] = (await dataSource.query(
        `SELECT seq_tup_read::int AS n FROM pg_stat_user_tables WHERE relname = 'parcels'`,
      )) as { n: number }[];
      return row!.n;
    };
    const before = await tuplesRead();
    await lockAndSave([parcel('f1'), parcel('d1'), parcel('f2')]);
    const states = await lockAndSave([parcel('f3'), parcel('e2')]);
    expect([...states.keys()].sort()).toEqual([parcel('e2'), parcel('f3')]);
    // a sequential scan would read all 20,000+ rows per statement
    expect((await tuplesRead()) - before).toBeLessThan(1_000);
    const [saved] = (await dataSource.query(`SELECT updates FROM parcels WHERE parcel_id = $1`, [
      parcel('d1'),
    ])) as { updates: number }[];
    expect(saved).toEqual({ updates: 2 });

    // planned once per connection (Postgres' own counters for the session's prepared statements)
    const plans = (await dataSource.query(
      `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom
         FROM pg_prepared_statements WHERE name IN ('parcels_create_and_lock_v1', 'parcels_save_with_events_v2')
        ORDER BY name`,
    )) as { name: string; generic: number; custom: number }[];
    expect(plans.map((p) => p.name)).toEqual(['parcels_create_and_lock_v1', 'parcels_save_with_events_v2']);
    for (const p of plans) expect(p).toMatchObject({ generic: expect.any(Number), custom: 0 });
    expect(Math.min(...plans.map((p) => p.generic))).toBeGreaterThanOrEqual(10);
  });

  it('locks a parcel that another batch created meanwhile (the second, rare statement)', async () => {
    const twoConnections = await twoConnectionDataSource('intake-tx-race');
    const transactions = new PgIntakeTransactions(() => poolOf(twoConnections), {
      statementTimeoutMs: 5_000,
      preparedStatements: true,
    });
    const repo = new ParcelsRepository();
    const id = parcel('c');
    const now = new Date('2026-12-01T00:00:00Z');
    const unseen = unseenParcel(scanOf(id, 'T3'), now);
    try {
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstLocked!: () => void;
      const firstHasIt = new Promise<void>((resolve) => (firstLocked = resolve));
      const first = transactions.run(async (tx) => {
        const states = await repo.lockForUpdate(tx, [unseen]);
        firstLocked();
        await firstHolds; // the parcel row exists, uncommitted, while the second batch starts
        return states;
      });
      await firstHasIt;
      let statements = 0;
      const second = transactions.run((tx) =>
        repo.lockForUpdate(
          {
            query: (st, values) => {
              statements++;
              return tx.query(st, values);
            },
          },
          [unseen],
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300)); // the second now waits on the row
      releaseFirst();
      const [a, b] = await Promise.all([first, second]);
      expect(a.get(id)).toMatchObject({ parcelId: id, trackingNumber: 'T3', updates: 0 });
      expect(b.get(id)).toMatchObject({ parcelId: id, trackingNumber: 'T3', updates: 0 });
      expect(statements).toBe(2); // create-and-lock found neither a row to create nor one to lock
    } finally {
      await twoConnections.destroy();
    }
  });
});
