import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';

/** The tracking-history read API. Labels: outcome only (never a parcel id or caller). */
@Injectable()
export class TrackingEventsMetrics {
  readonly reads: Counter<'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.reads = new Counter({
      name: 'portico_tracking_history_reads_total',
      help: "Reads of a parcel's tracking history by the console, by outcome (found: at least one event, empty)",
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  }
}
