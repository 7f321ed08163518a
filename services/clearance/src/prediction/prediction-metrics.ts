import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { DEFAULT_ESTIMATOR, modelVersionOf } from './hold-estimator';

/**
 * `portico_clearance_holds_predicted_total{model_version}`: HoldPredicted events emitted. The only
 * label is the predictor's version (a handful of values over the service's life): never a tenant,
 * parcel or anything about the resident.
 */
@Injectable()
export class PredictionMetrics {
  private readonly predicted: Counter<'model_version'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.predicted = new Counter({
      name: 'portico_clearance_holds_predicted_total',
      help: 'HoldPredicted events emitted (in-transit parcels estimated at or above their tenant threshold)',
      labelNames: ['model_version'] as const,
      registers: [registry],
    });
    // The series exists from the start, so rate() works before the first prediction.
    this.predicted.inc({ model_version: modelVersionOf(DEFAULT_ESTIMATOR) }, 0);
  }

  holdPredicted(modelVersion: string): void {
    this.predicted.inc({ model_version: modelVersion });
  }
}
