import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';
import type { ResolutionMethod } from '../parcels/parcel-projection';
import type { TaskKind } from './outreach-task';

/** Outreach counters on the service's registry. Labels are closed enums: never ids or personal data. */
@Injectable()
export class OutreachMetrics {
  private readonly tasksCreated: Counter<'kind'>;
  private readonly resolutions: Counter<'method'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.tasksCreated = new Counter({
      name: 'portico_outreach_tasks_created_total',
      help: 'Outreach tasks created for stewards, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    });
    this.resolutions = new Counter({
      name: 'portico_parcel_resolution_total',
      help: 'Parcels matched to a resident (or queued for the front desk), by method',
      labelNames: ['method'] as const,
      registers: [registry],
    });
  }

  taskCreated(kind: TaskKind): void {
    this.tasksCreated.inc({ kind });
  }

  parcelResolved(method: ResolutionMethod | 'unmatched'): void {
    this.resolutions.inc({ method });
  }
}
