import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';

/** The tracking projection's writes. Labels are closed enums: never ids or personal data. */
@Injectable()
export class ParcelsMetrics {
  private readonly updates: Counter<'outcome'>;
  private readonly statement: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.updates = new Counter({
      name: 'portico_parcel_projection_updates_total',
      help: 'Tracking updates folded into the parcel projection (projected), or skipped for want of a parcel or tenant id (unkeyed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.statement = new Histogram({
      name: 'portico_parcel_projection_write_seconds',
      help: "Duration of the one statement that writes a chunk's parcel projection rows",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
  }

  folded(projected: number, unkeyed: number): void {
    if (projected > 0) this.updates.inc({ outcome: 'projected' }, projected);
    if (unkeyed > 0) this.updates.inc({ outcome: 'unkeyed' }, unkeyed);
  }

  written(seconds: number): void {
    this.statement.observe(seconds);
  }
}
