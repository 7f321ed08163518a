import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Gauge, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { ClaimsConfig } from '../config';
import { PollLoop } from '../shared/poll-loop';
import { CLAIMS_CONFIG, CLOCK, type Clock } from '../shared/tokens';
import type { Scorecard } from './scorecard';
import { Scorecards } from './scorecards.service';

const DAY = 86_400_000;
type Labels = 'carrier' | 'lane';

/**
 * The scorecards as Prometheus gauges, every tenant together over the trailing
 * SCORECARD_WINDOW_DAYS (a rate without a denominator exports no sample), recomputed from the database every SCORECARD_REFRESH_MS (two GROUP BY
 * queries; a scrape never touches the database). Labels: carrier code and lane only — never a
 * tenant, property or parcel. Each refresh replaces every series, so a lane that left the window
 * disappears instead of keeping its last value. A failed refresh keeps the previous values and
 * `…_scorecard_refreshed_timestamp_seconds` shows how old they are.
 */
@Injectable()
export class ScorecardGauges implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly gauges: Array<{ gauge: Gauge<Labels>; value: (s: Scorecard) => number | null }>;
  private readonly refreshed: Gauge;
  private readonly loop: PollLoop;
  private readonly tracer = trace.getTracer('claims-scorecards');

  constructor(
    private readonly scorecards: Scorecards,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CLAIMS_CONFIG) private readonly config: ClaimsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('claims-scorecards') private readonly logger: PinoLogger,
  ) {
    // one constructor each (not a loop): deploy/tests finds exported metric names in the sources
    const labelNames = ['carrier', 'lane'] as const;
    const registers = [registry];
    this.gauges = [
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_parcels_tracked',
          help: 'Parcels first seen in the scorecard window, per carrier and lane (the rates denominator)',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.parcelsTracked,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_loss_ratio',
          help: 'Share of the window cohort lost (loss claim closed resolved or settled), per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.loss.rate,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_damage_ratio',
          help: 'Share of the window cohort damaged (damage claim closed resolved or settled), per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.damage.rate,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_approved_ratio',
          help: 'Carrier decisions on the cohort claims that approved in full, per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.carrierDecisions.approvalRate,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_partially_approved_ratio',
          help: 'Carrier decisions on the cohort claims that approved in part, per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.carrierDecisions.partialApprovalRate,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_rejected_ratio',
          help: 'Carrier decisions on the cohort claims that rejected, per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.carrierDecisions.rejectionRate,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_time_to_resolve_median_seconds',
          help: 'Median opened -> closed of the cohort claims that ended as a loss or damage, per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.timeToResolve.medianSeconds,
      },
      {
        gauge: new Gauge({
          name: 'portico_claims_scorecard_time_to_resolve_p90_seconds',
          help: '90th percentile opened -> closed of the cohort claims that ended as a loss or damage, per carrier and lane',
          labelNames,
          registers,
        }),
        value: (s: Scorecard) => s.timeToResolve.p90Seconds,
      },
    ];
    this.refreshed = new Gauge({
      name: 'portico_claims_scorecard_refreshed_timestamp_seconds',
      help: 'When the scorecard gauges were last recomputed from the database (Unix time)',
      registers: [registry],
    });
    this.loop = new PollLoop(
      () => this.refresh(),
      config.scorecardRefreshMs,
      (e) => this.logger.error({ err: e }, 'scorecard gauges refresh failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Recomputes every gauge. @returns the scorecards it exported. */
  async refresh(): Promise<Scorecard[]> {
    return this.tracer.startActiveSpan('scorecards refresh', async (span) => {
      try {
        const to = this.clock();
        const from = new Date(to.getTime() - this.config.scorecardWindowDays * DAY);
        const started = Date.now();
        const cards = await this.scorecards.allTenants({ from, to });
        for (const { gauge, value } of this.gauges) {
          gauge.reset();
          for (const s of cards) {
            const v = value(s);
            if (v !== null) gauge.set({ carrier: s.carrierCode, lane: s.lane }, v);
          }
        }
        this.refreshed.set(to.getTime() / 1_000);
        span.setAttribute('portico.claims.scorecards', cards.length);
        this.logger.debug(
          { scorecards: cards.length, durationMs: Date.now() - started },
          'scorecard gauges refreshed',
        );
        return cards;
      } catch (e) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.name : 'error' });
        throw e;
      } finally {
        span.end();
      }
    });
  }
}
