import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import type { CircuitState } from './circuit-breaker';

/**
 * Webhook metrics on the service's registry. Labels are closed vocabularies: never a tenant, a
 * subscription id, a URL or a parcel.
 */
@Injectable()
export class WebhooksMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly duration: Histogram<'result'>;
  readonly fannedOut: Counter<'source'>;
  readonly circuitTransitions: Counter<'to'>;
  readonly autoDisabled: Counter;
  readonly subscriptionLookups: Counter<'result'>;
  readonly subscriptionInvalidations: Counter<'source'>;
  readonly subscriptionListener: Gauge;
  private readonly backlog: Gauge;
  private readonly circuits: Gauge<'state'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.deliveries = new Counter({
      name: 'portico_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retry_scheduled, failed = schedule used up)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'portico_webhook_delivery_duration_seconds',
      help: 'Time from sending a webhook to the end of the answer, by result class (2xx, 4xx, 5xx, timeout, error)',
      labelNames: ['result'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.fannedOut = new Counter({
      name: 'portico_webhook_deliveries_created_total',
      help: 'Deliveries queued by the fan-out, by source topic',
      labelNames: ['source'] as const,
      registers: [registry],
    });
    this.circuitTransitions = new Counter({
      name: 'portico_webhook_circuit_transitions_total',
      help: 'Subscription circuit breaker transitions, by the state entered',
      labelNames: ['to'] as const,
      registers: [registry],
    });
    this.autoDisabled = new Counter({
      name: 'portico_webhook_subscriptions_auto_disabled_total',
      help: 'Subscriptions disabled because every attempt failed for the auto-disable window',
      registers: [registry],
    });
    this.subscriptionLookups = new Counter({
      name: 'portico_webhook_subscription_cache_lookups_total',
      help: "The fan-out's reads of a tenant's subscriptions: hit, miss (read and cached), read_through (listener down: read, not cached)",
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.subscriptionInvalidations = new Counter({
      name: 'portico_webhook_subscription_cache_invalidations_total',
      help: 'Tenants dropped from the subscription cache, by source (local write, notify from a replica, listener reconnect = all)',
      labelNames: ['source'] as const,
      registers: [registry],
    });
    this.subscriptionListener = new Gauge({
      name: 'portico_webhook_subscription_listener_connected',
      help: '1 while the LISTEN connection for subscription changes is up (0: the cache is bypassed)',
      registers: [registry],
    });
    this.backlog = new Gauge({
      name: 'portico_webhook_pending_deliveries',
      help: 'Deliveries not yet delivered or given up (due, waiting for a retry or behind an open circuit)',
      registers: [registry],
    });
    this.circuits = new Gauge({
      name: 'portico_webhook_circuits',
      help: 'Enabled subscriptions by circuit state',
      labelNames: ['state'] as const,
      registers: [registry],
    });
  }

  setBacklog(pending: number, circuits: Record<CircuitState, number>): void {
    this.backlog.set(pending);
    for (const [state, n] of Object.entries(circuits)) this.circuits.set({ state }, n);
  }

  observeAttempt(seconds: number, statusCode: number | null, errorCode: string | null): void {
    const result =
      statusCode !== null
        ? `${Math.floor(statusCode / 100)}xx`
        : errorCode === 'timeout'
          ? 'timeout'
          : 'error';
    this.duration.observe({ result }, seconds);
  }
}
