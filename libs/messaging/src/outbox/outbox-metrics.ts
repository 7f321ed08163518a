import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { registeredMetric } from '../metrics/metric-registry';

export interface OutboxMetrics {
  readonly published: Counter<'topic'>;
  readonly publishLatency: Histogram<'topic'>;
  readonly publishErrors: Counter;
  readonly batchSize: Histogram;
}

/**
 * Outbox metrics in the service's registry. The backlog gauge is computed on scrape, so it is
 * right even while no relay runs (exactly when it matters).
 */
export function createOutboxMetrics(registry: Registry, countBacklog: () => Promise<number>): OutboxMetrics {
  registeredMetric(
    registry,
    'portico_outbox_backlog',
    () =>
      new Gauge({
        name: 'portico_outbox_backlog',
        help: 'Outbox rows not yet published to Kafka',
        registers: [registry],
        async collect() {
          try {
            this.set(await countBacklog());
          } catch {
            // An unreachable database must not break the whole scrape; readiness reports it.
          }
        },
      }),
  );
  return {
    published: registeredMetric(
      registry,
      'portico_outbox_published_total',
      () =>
        new Counter({
          name: 'portico_outbox_published_total',
          help: 'Outbox rows published to Kafka and acknowledged by all in-sync replicas',
          labelNames: ['topic'],
          registers: [registry],
        }),
    ),
    publishLatency: registeredMetric(
      registry,
      'portico_outbox_publish_latency_seconds',
      () =>
        new Histogram({
          name: 'portico_outbox_publish_latency_seconds',
          help: 'Time from the outbox insert to the broker acknowledgement',
          labelNames: ['topic'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
          registers: [registry],
        }),
    ),
    publishErrors: registeredMetric(
      registry,
      'portico_outbox_publish_errors_total',
      () =>
        new Counter({
          name: 'portico_outbox_publish_errors_total',
          help: 'Relay batches rolled back because publishing or marking failed',
          registers: [registry],
        }),
    ),
    batchSize: registeredMetric(
      registry,
      'portico_outbox_batch_size',
      () =>
        new Histogram({
          name: 'portico_outbox_batch_size',
          help: 'Rows published per relay transaction',
          buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2000],
          registers: [registry],
        }),
    ),
  };
}
