import { Inject, Injectable } from '@nestjs/common';
import { Gauge, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { DataSource } from 'typeorm';
import { HOLD_REASONS } from './case';
import { CASE_STATES, canTransition } from './case-state';

/** States the deadline can still expire (the case waits on the resident, a steward or the carrier). */
const EXPIRABLE = CASE_STATES.filter((s) => canTransition(s, 'expire'));
const AT_RISK_HOURS = 24;

/**
 * Open cases and deadlines at risk, counted on scrape from the cases table: right whatever instance
 * changed them and across restarts (a counter kept in memory would not be). Two indexed counts per
 * scrape; an unreachable database leaves the last values (readiness reports the outage).
 */
@Injectable()
export class OpenCaseGauges {
  constructor(dataSource: DataSource, @Inject(METRICS_REGISTRY) registry: Registry) {
    new Gauge({
      name: 'portico_clearance_cases_open',
      help: 'Clearance cases not closed yet, by why customs holds the parcel',
      labelNames: ['hold_reason'] as const,
      registers: [registry],
      async collect() {
        try {
          const rows = await dataSource.query<Array<{ hold_reason: string; n: number }>>(
            `SELECT hold_reason, count(*)::int AS n FROM clearance_cases WHERE closed_at IS NULL GROUP BY hold_reason`,
          );
          for (const hold_reason of HOLD_REASONS) {
            this.set({ hold_reason }, rows.find((r) => r.hold_reason === hold_reason)?.n ?? 0);
          }
        } catch {
          // keep the last values
        }
      },
    });
    new Gauge({
      name: 'portico_clearance_deadlines_at_risk',
      help: `Open cases that can still expire and whose deadline is less than ${AT_RISK_HOURS} h away`,
      registers: [registry],
      async collect() {
        try {
          const [row] = await dataSource.query<Array<{ n: number }>>(
            `SELECT count(*)::int AS n FROM clearance_cases
              WHERE closed_at IS NULL AND state = ANY($1::text[])
                AND deadline < now() + make_interval(hours => $2)`,
            [EXPIRABLE, AT_RISK_HOURS],
          );
          this.set(row?.n ?? 0);
        } catch {
          // keep the last value
        }
      },
    });
  }
}
