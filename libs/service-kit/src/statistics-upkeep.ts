import {
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * autovacuum's own rule for when a table's planner statistics are stale: more rows inserted, updated
 * or deleted since its last ANALYZE than `autovacuum_analyze_threshold` (50) plus
 * `autovacuum_analyze_scale_factor` (10 %) of its rows.
 */
export const STALE_STATISTICS = { threshold: 50, scaleFactor: 0.1 } as const;

export interface StatisticsUpkeepOptions {
  /** How often the tables are checked (autovacuum's naptime is 60 s; ours is shorter because a
   * service's tables grow from nothing at thousands of rows a second, and the first minutes count). */
  readonly intervalMs: number;
  /** Tables analysed per round at most, the stalest first. */
  readonly tablesPerRound: number;
}

export const DEFAULT_STATISTICS_UPKEEP: StatisticsUpkeepOptions = { intervalMs: 15_000, tablesPerRound: 4 };

/**
 * ANALYZE for a service's tables where nothing else does it: on a Postgres running with autovacuum
 * off (these machines' shared Postgres is one), a table's statistics are those of the moment it was
 * created, empty, for ever. The planner then plans every statement for a table of a few rows: the
 * notification consumer's locking read of 40 parcels by (tenant, parcel id) became a bitmap scan of
 * all the tenant's parcels, filtered (118 ms at 20,000 parcels, and growing with the table), and the
 * intake's parcel updates sequential scans in hash joins. With autovacuum on, this does nothing:
 * autovacuum analyses on the same rule (STALE_STATISTICS).
 *
 * One round every `intervalMs`: the tables whose statistics are stale by that rule, stalest first,
 * each analysed on its own (ANALYZE reads a sample of at most 30,000 rows, a few ms to a few tens
 * of ms). A failed round is logged and the next one tries again; nothing else depends on it.
 */
@Injectable()
export class StatisticsUpkeep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('StatisticsUpkeep');
  private readonly options: StatisticsUpkeepOptions;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() options?: StatisticsUpkeepOptions,
  ) {
    this.options = options ?? DEFAULT_STATISTICS_UPKEEP;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.needed().catch(() => false))) return;
    this.logger.log('autovacuum is off: this service keeps its tables’ planner statistics itself');
    this.timer = setInterval(() => {
      this.round ??= this.analyseStale()
        .then(() => undefined)
        .catch((e: Error) => this.logger.warn(`statistics upkeep round failed: ${e.message}`))
        .finally(() => (this.round = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  /** Whether anything has to be done here: autovacuum is off (or cannot see the changes). */
  async needed(): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on' AS covered`,
    )) as { covered: boolean }[];
    return row?.covered === false;
  }

  /** One round: analyses the stalest tables; returns their names. */
  async analyseStale(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT format('%I.%I', schemaname, relname) AS name
         FROM pg_stat_user_tables
        WHERE n_mod_since_analyze > $1::float8 + $2::float8 * greatest(n_live_tup, 0)
        ORDER BY n_mod_since_analyze DESC
        LIMIT $3`,
      [STALE_STATISTICS.threshold, STALE_STATISTICS.scaleFactor, this.options.tablesPerRound],
    )) as { name: string }[];
    for (const { name } of rows) {
      // a quoted identifier from the catalogue (format %I), not input
      await this.dataSource.query(`ANALYZE ${name}`);
    }
    return rows.map((r) => r.name);
  }
}
