import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

export type FireOutcome = 'fired' | 'failed';

export interface TimerMetrics {
  readonly fired: Counter<'kind' | 'outcome'>;
  readonly lateness: Histogram<'kind'>;
}

/**
 * The metric already registered under `name`, or a new one: several runners may share one
 * registry (two in one process, or tests), and prom-client throws on a duplicate name.
 */
function registeredMetric<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/**
 * Timer metrics in the service's registry (see createMetricsRegistry in @portico/observability).
 * `kind` is bounded by the handlers a service registers; keys never become labels.
 * The pending gauge is counted on scrape, so it is right even while no runner polls (exactly when
 * it matters): one index-only count per scrape of a table that only holds pending timers.
 */
export function createTimerMetrics(registry: Registry, countPending: () => Promise<number>): TimerMetrics {
  registeredMetric(
    registry,
    'portico_timers_pending',
    () =>
      new Gauge({
        name: 'portico_timers_pending',
        help: 'Timers scheduled and not yet fired (due or not)',
        registers: [registry],
        async collect() {
          try {
            this.set(await countPending());
          } catch {
            // An unreachable database must not break the whole scrape; readiness reports it.
          }
        },
      }),
  );
  return {
    fired: registeredMetric(
      registry,
      'portico_timers_fired_total',
      () =>
        new Counter({
          name: 'portico_timers_fired_total',
          help: 'Timer attempts by outcome: fired (committed and deleted) or failed (rolled back, retried later)',
          labelNames: ['kind', 'outcome'],
          registers: [registry],
        }),
    ),
    lateness: registeredMetric(
      registry,
      'portico_timer_lateness_seconds',
      () =>
        new Histogram({
          name: 'portico_timer_lateness_seconds',
          help: 'Fire time minus due time of committed timers (of the attempt that succeeded)',
          labelNames: ['kind'],
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
          registers: [registry],
        }),
    ),
  };
}
