import { Inject, Injectable } from '@nestjs/common';
import { Gauge, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { DataSource } from 'typeorm';

/**
 * `portico_claims_open{state}`: open claims by workflow state, counted from the database on each
 * scrape, so the figure is right across restarts and instances (counters of opened and closed
 * claims are per process). Cheap: only open rows are read (the partial index on open claims), and
 * they are the few being worked on. Labels: the state only.
 */
@Injectable()
export class OpenClaimsGauge {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, dataSource: DataSource) {
    new Gauge({
      name: 'portico_claims_open',
      help: 'Open claims by workflow state',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        if (!dataSource.isInitialized) return;
        const rows = (await dataSource.query(
          `SELECT state, count(*)::int AS n FROM claims_claims WHERE closed_at IS NULL GROUP BY state`,
        )) as Array<{ state: string; n: number }>;
        this.reset();
        for (const r of rows) this.set({ state: r.state }, r.n);
      },
    });
  }
}
