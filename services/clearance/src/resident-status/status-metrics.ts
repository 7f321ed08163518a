import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';

export const VIEW_OUTCOMES = ['shown', 'missing', 'invalid', 'expired', 'revoked'] as const;
export type ViewOutcome = (typeof VIEW_OUTCOMES)[number];

/**
 * Resident status views by outcome: a closed set, never a case, link or tenant id. A rise in
 * `invalid` is what guessing or a broken link template looks like; `expired` tells whether link
 * lifetimes suit residents.
 */
@Injectable()
export class StatusMetrics {
  private readonly views: Counter<'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.views = new Counter({
      name: 'portico_clearance_status_views_total',
      help: 'Resident status page requests, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    for (const outcome of VIEW_OUTCOMES) this.views.inc({ outcome }, 0);
  }

  viewed(outcome: ViewOutcome): void {
    this.views.inc({ outcome });
  }
}
