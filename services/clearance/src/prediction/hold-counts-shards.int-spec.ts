// clearance_hold_counts is sharded by connection (hold-history.repository.ts): a parcel released on
// one connection and held for documents later on another adds resolved +1 to the first shard and
// held +1 to the second. Only the sums over shards are counts; a shard row on its own may hold more
// holds than resolutions. Against real Postgres, with two connections on different shards.
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import type { QueryRunner } from 'typeorm';
import { migrations } from '../../migrations';
import { BACKOFF_LEVELS, cellKeyId, cellKeysOf, COUNT_SHARDS, type HoldFeatures } from './hold-features';
import { HoldHistoryRepository } from './hold-history.repository';
import type { ChunkWrites } from './hold-prediction-fold';

const FEATURES: HoldFeatures = {
  carrierCode: 'shard-express',
  originCountryCode: 'JP',
  destinationCountryCode: 'CN',
  valueBand: '200-1000',
};

/** The chunk's count deltas for one parcel of FEATURES, in lock order (BACKOFF_LEVELS). */
function countsOf(resolved: number, held: number): ChunkWrites['counts'] {
  return cellKeysOf(FEATURES).map((cell, i) => ({ cell, level: BACKOFF_LEVELS[i]!, resolved, held }));
}

describe('clearance hold counts: a release and a later hold on two shards (real Postgres)', () => {
  let db: MigratedTestDatabase;
  const repository = new HoldHistoryRepository();
  const runners: QueryRunner[] = [];

  beforeAll(async () => {
    db = await createMigratedTestDatabase('clearance_count_shards', migrations, {
      poolSize: COUNT_SHARDS + 2,
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.release()));
    await db?.drop();
  });

  /** Two connections whose backend pids fall on different count shards. */
  async function twoShards(): Promise<[QueryRunner, QueryRunner]> {
    const byShard = new Map<number, QueryRunner>();
    while (byShard.size < 2 && runners.length <= COUNT_SHARDS + 1) {
      const runner = db.dataSource.createQueryRunner();
      await runner.connect();
      runners.push(runner);
      const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
      if (!byShard.has(pid % COUNT_SHARDS)) byShard.set(pid % COUNT_SHARDS, runner);
    }
    const [a, b] = [...byShard.values()];
    if (!a || !b) throw new Error('no two connections on different shards');
    return [a, b];
  }

  it('counts a parcel released on one connection and held on another, per cell summed over shards', async () => {
    const [first, second] = await twoShards();
    const releasedAt = new Date('2026-12-01T08:00:00Z');
    const heldAt = new Date('2026-12-02T08:00:00Z');
    await first.manager.transaction((m) =>
      repository.writeChunk(m, {
        inserts: [
          {
            tenantId: 'ten_shards',
            parcelId: 'prc_shards_1',
            features: FEATURES,
            firstSeenAt: releasedAt,
            heldAt: null,
            resolvedAt: releasedAt,
            prediction: null,
          },
        ],
        updates: [],
        counts: countsOf(1, 0),
      }),
    );
    // carriers do this: released first, held for documents later (hold-observation.ts)
    await second.manager.transaction(async (m) => {
      await repository.lockMany(m, [{ tenantId: 'ten_shards', parcelId: 'prc_shards_1' }]);
      await repository.writeChunk(m, {
        inserts: [],
        updates: [
          {
            tenantId: 'ten_shards',
            parcelId: 'prc_shards_1',
            markHeldAt: heldAt,
            markResolvedAt: null,
            prediction: null,
          },
        ],
        counts: countsOf(0, 1),
      });
    });

    const counts = await repository.countsOf(db.dataSource.manager, cellKeysOf(FEATURES));
    for (const cell of cellKeysOf(FEATURES)) {
      expect([cellKeyId(cell), counts.get(cellKeyId(cell))]).toEqual([
        cellKeyId(cell),
        { resolved: 1, held: 1 },
      ]);
    }
  });
});
