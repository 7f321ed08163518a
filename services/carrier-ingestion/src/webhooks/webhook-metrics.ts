import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';

/** How one webhook request ended; also the `outcome` label (a closed set: bounded cardinality). */
export type IntakeOutcome =
  | 'accepted'
  | 'duplicate'
  | 'rejected_signature'
  | 'rejected_body'
  | 'unknown_account'
  | 'unavailable'
  /** An unexpected error (answered 500): counted so a bug shows on the intake dashboard too. */
  | 'failed';

/**
 * Intake metrics on the service's registry. Labels are the account's provider and the outcome only:
 * never an account id, a parcel id or anything from the payload (cardinality, and personal data).
 */
@Injectable()
export class WebhookMetrics {
  private readonly requests: Counter<'carrier_account_provider' | 'outcome'>;
  private readonly latency: Histogram<'carrier_account_provider' | 'outcome'>;
  private readonly unmapped: Counter<'carrier_account_provider'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = new Counter({
      name: 'portico_webhook_requests_total',
      help: 'Carrier webhook requests by the provider of the carrier account and how they ended',
      labelNames: ['carrier_account_provider', 'outcome'] as const,
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'portico_webhook_intake_duration_seconds',
      help: 'Time from receiving a carrier webhook to answering it (verification, storage, outbox commit)',
      labelNames: ['carrier_account_provider', 'outcome'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.unmapped = new Counter({
      name: 'portico_tracking_unmapped_status_total',
      help: "Published tracking updates whose provider code has no mapping yet (status UNKNOWN): extend that provider's status map",
      labelNames: ['carrier_account_provider'] as const,
      registers: [registry],
    });
  }

  /** Updates published with status `unknown` because the provider's code is not in its map. */
  countUnmappedStatuses(provider: string, count: number): void {
    this.unmapped.inc({ carrier_account_provider: provider }, count);
  }

  /** `provider` is 'unknown' when the account is: the label never carries what a caller typed. */
  observe(provider: string, outcome: IntakeOutcome, seconds: number): void {
    const labels = { carrier_account_provider: provider, outcome };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }
}
