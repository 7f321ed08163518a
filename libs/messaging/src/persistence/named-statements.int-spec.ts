/**
 * queryNamed against real Postgres: named (parsed and planned once per connection) only in a
 * transaction that runs with every whole-table plan method off, a plain query anywhere else and on
 * a data source given to runStatementsUnnamed; rows
 * either way, also for UPDATE … RETURNING; a failure is the driver's error and rolls back; and the
 * generic plan Postgres caches for a key probe made while the table was small still probes the
 * index once the table has grown.
 */
import { DataSource, type EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../test-support/integration';
import { namedStatement, queryNamed, runStatementsUnnamed } from './named-statements';
import { planMethodsOffUntilCommit, WHOLE_TABLE_PLAN_METHODS } from './planner-settings';

const PROBE = namedStatement(
  'test_side_effect_probe_v1',
  `SELECT id::int AS id, label FROM side_effects WHERE id = ANY($1::bigint[]) ORDER BY id`,
);
const RELABEL = namedStatement(
  'test_side_effect_relabel_v1',
  `UPDATE side_effects SET label = $2 WHERE id = $1 RETURNING id::int AS id, label`,
);

async function preparedNames(m: EntityManager): Promise<string[]> {
  const rows: Array<{ name: string }> = await m.query(
    `SELECT name FROM pg_prepared_statements WHERE name LIKE 'test_side_effect_%' ORDER BY name`,
  );
  return rows.map((r) => r.name);
}

describe('queryNamed (real Postgres)', () => {
  let db: TestDatabase;
  // one connection: whatever a transaction prepares is still there for the next one to see
  let source: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('named_statements');
    source = new DataSource({ type: 'postgres', url: db.url, poolSize: 1 });
    await source.initialize();
    await source.query(
      `INSERT INTO side_effects (event_id, label, parcel_id)
       SELECT gen_random_uuid(), 'seed', 'prc_' || g FROM generate_series(1, 3) AS g`,
    );
  });

  afterAll(async () => {
    await source?.destroy();
    await db?.drop();
  });

  it('runs unnamed where the transaction may still plan whole-table reads, named where it may not', async () => {
    await source.transaction(async (m) => {
      // only some methods off: not enough to make a cached plan safe
      await planMethodsOffUntilCommit(m, ['seqscan', 'bitmapscan']);
      expect(await queryNamed(m, PROBE, [[1, 2]])).toEqual([
        { id: 1, label: 'seed' },
        { id: 2, label: 'seed' },
      ]);
      expect(await preparedNames(m)).toEqual([]);
    });
    expect(await queryNamed(source.manager, PROBE, [[3]])).toEqual([{ id: 3, label: 'seed' }]);
    expect(await preparedNames(source.manager)).toEqual([]);

    await source.transaction(async (m) => {
      await planMethodsOffUntilCommit(m, WHOLE_TABLE_PLAN_METHODS);
      expect(await queryNamed(m, PROBE, [[2, 3]])).toEqual([
        { id: 2, label: 'seed' },
        { id: 3, label: 'seed' },
      ]);
      // rows, not TypeORM's [rows, count] of an UPDATE
      expect(await queryNamed(m, RELABEL, [1, 'relabelled'])).toEqual([{ id: 1, label: 'relabelled' }]);
      expect(await preparedNames(m)).toEqual(['test_side_effect_probe_v1', 'test_side_effect_relabel_v1']);
    });
    // unnamed, an UPDATE answers its rows too
    expect(await queryNamed(source.manager, RELABEL, [1, 'seed'])).toEqual([{ id: 1, label: 'seed' }]);
  });

  it('runs unnamed on a data source behind a pooler that cannot keep names (DATABASE_PREPARED_STATEMENTS=false)', async () => {
    const pooled = new DataSource({ type: 'postgres', url: db.url, poolSize: 1 });
    await pooled.initialize();
    try {
      runStatementsUnnamed(pooled);
      await pooled.transaction(async (m) => {
        await planMethodsOffUntilCommit(m, WHOLE_TABLE_PLAN_METHODS);
        expect(await queryNamed(m, PROBE, [[1]])).toEqual([{ id: 1, label: 'seed' }]);
        expect(await preparedNames(m)).toEqual([]);
      });
    } finally {
      await pooled.destroy();
    }
  });

  it("fails with the driver's error (its code, no parameters) and rolls the transaction back", async () => {
    const failure = await source
      .transaction(async (m) => {
        await planMethodsOffUntilCommit(m, WHOLE_TABLE_PLAN_METHODS);
        await queryNamed(m, RELABEL, [2, 'half-written']);
        await queryNamed(m, namedStatement('test_side_effect_bad_v1', `SELECT 1 / $1::int AS n`), [0]);
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; parameters?: unknown },
      );
    expect(failure?.code).toBe('22012'); // division_by_zero
    expect(failure?.parameters).toBeUndefined();
    expect(await queryNamed(source.manager, PROBE, [[2]])).toEqual([{ id: 2, label: 'seed' }]);
  });

  it('keeps probing the index with the generic plan it cached while the table was small', async () => {
    const probe = (ids: number[]) =>
      source.transaction(async (m) => {
        await planMethodsOffUntilCommit(m, WHOLE_TABLE_PLAN_METHODS);
        return queryNamed<{ id: number }>(m, PROBE, [ids]);
      });
    // Postgres plans a named statement's first five executions for their values, then caches a
    // generic plan when it looks no costlier: made now, on three rows, it would be a sequential scan
    for (let i = 0; i < 8; i++) await probe([1, 2]);
    await source.query(
      `INSERT INTO side_effects (event_id, label, parcel_id)
       SELECT gen_random_uuid(), 'bulk', 'prc_bulk_' || g FROM generate_series(1, 20000) AS g`,
    );
    const tuplesRead = async () => {
      await source.query('SELECT pg_stat_force_next_flush()');
      const [row]: Array<{ n: number }> = await source.query(
        `SELECT seq_tup_read::int AS n FROM pg_stat_user_tables WHERE relname = 'side_effects'`,
      );
      return row!.n;
    };
    const before = await tuplesRead();
    expect(await probe([3, 20003])).toEqual([
      { id: 3, label: 'seed' },
      { id: 20003, label: 'bulk' },
    ]);
    expect(await probe([2])).toEqual([{ id: 2, label: 'seed' }]);
    expect((await tuplesRead()) - before).toBeLessThan(1_000);
    const [plans]: Array<{ generic: number }> = await source.query(
      `SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE name = $1`,
      [PROBE.name],
    );
    expect(plans!.generic).toBeGreaterThan(0); // the cached plan is the one that ran
  });
});
