import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { StatisticsUpkeep } from './statistics-upkeep';

// A lookup by (tenant, parcel id) on a table whose statistics say it is empty, as in
// notification's findManyForUpdate.
const LOOKUP = `EXPLAIN SELECT * FROM parcels WHERE tenant_id = 'ten_1' AND parcel_id = ANY($1::text[]) FOR UPDATE`;

describe('StatisticsUpkeep (real Postgres)', () => {
  let db: MigratedTestDatabase;

  beforeAll(async () => {
    db = await createMigratedTestDatabase('stats_upkeep', [], {
      setupSql: [
        `CREATE TABLE parcels (tenant_id text NOT NULL, parcel_id text NOT NULL, label text NOT NULL,
           PRIMARY KEY (tenant_id, parcel_id))`,
        `CREATE TABLE quiet (id int PRIMARY KEY)`,
      ],
    });
  });
  afterAll(() => db.drop());

  const modsSinceAnalyze = async (table: string) => {
    await db.dataSource.query('SELECT pg_stat_force_next_flush()');
    const [row] = (await db.dataSource.query(
      `SELECT n_mod_since_analyze::int AS n FROM pg_stat_user_tables WHERE relname = $1`,
      [table],
    )) as { n: number }[];
    return row!.n;
  };

  it('analyses the tables whose statistics are stale, so the planner sees their real size', async () => {
    const upkeep = new StatisticsUpkeep(db.dataSource, { intervalMs: 60_000, tablesPerRound: 4 });
    // this machine's Postgres runs with autovacuum off; elsewhere the upkeep stays idle
    const autovacuum = (await db.dataSource.query(`SELECT current_setting('autovacuum') AS v`)) as {
      v: string;
    }[];
    expect(await upkeep.needed()).toBe(autovacuum[0]!.v !== 'on');

    await db.dataSource.query(
      `INSERT INTO parcels SELECT 'ten_1', 'prc_' || md5(g::text), 'x' FROM generate_series(1, 20000) AS g`,
    );
    await db.dataSource.query(`INSERT INTO quiet VALUES (1), (2)`); // 2 changes: under the threshold
    const ids = Array.from({ length: 40 }, (_, i) => `prc_${String(i).padStart(32, '0')}`);
    const planBefore = JSON.stringify(await db.dataSource.query(LOOKUP, [ids]));
    expect(await modsSinceAnalyze('parcels')).toBe(20_000);

    await db.dataSource.query('SELECT pg_stat_force_next_flush()');
    expect(await upkeep.analyseStale()).toEqual(['public.parcels']);

    expect(await modsSinceAnalyze('parcels')).toBe(0);
    expect(await modsSinceAnalyze('quiet')).toBe(2);
    // with statistics, both columns are the index condition (one probe per id), not tenant_id alone
    const probesBoth = /Index Cond: \(\(tenant_id = 'ten_1'::text\) AND \(parcel_id = ANY/;
    expect(planBefore).not.toMatch(probesBoth);
    expect(JSON.stringify(await db.dataSource.query(LOOKUP, [ids]))).toMatch(probesBoth);
    // nothing is stale any more: the next round analyses nothing
    expect(await upkeep.analyseStale()).toEqual([]);
  });
});
