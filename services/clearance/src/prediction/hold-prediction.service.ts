import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { CLEARANCE_CASE_TOPIC, ClearanceCaseEventSchema, type carrier } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { RequirementPolicy } from '../cases/requirement-policy';
import type { TrackingUpdate } from '../cases/tracking-update';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { DEFAULT_ESTIMATOR, estimateHoldProbability, type HoldEstimate } from './hold-estimator';
import { featuresOf } from './hold-features';
import { HoldHistoryRepository, type StoredPrediction } from './hold-history.repository';
import {
  changesHistory,
  observationKindOf,
  planObservation,
  shouldEmit,
  type ObservationPlan,
} from './hold-observation';
import { holdPredictedEvent, type EmittedPrediction } from './hold-predicted-event';
import { ConcurrentHistoryWriteError } from './prediction-errors';
import { PredictionMetrics } from './prediction-metrics';
import { cnyRatesOf, likelyDocumentsOf, PredictionPolicies } from './prediction-policies';
import { PredictionSettingsService } from './prediction-settings.service';

export const PREDICTION_ID_PREFIX = 'hp';

export interface PredictionOutcome {
  readonly plan: ObservationPlan;
  /** Set when the parcel was estimated (in transit, no outcome yet, tenant enabled). */
  readonly estimate?: HoldEstimate;
  readonly emitted?: EmittedPrediction;
}

/**
 * The hold history and the predictions made from it, fed by every tracking event in the consumer's
 * transaction: first sight records the parcel's features, its first document hold or release records
 * the outcome (and moves the count cells), and its first in-transit event gets one estimate, emitted
 * as HoldPredicted when at or above the tenant's threshold. The estimate is stored with the row
 * whether emitted or not, so a redelivery, a second scan or a later in-transit event never estimates
 * or emits again, and the report can compare estimates with what happened.
 */
@Injectable()
export class HoldPredictionService {
  constructor(
    private readonly history: HoldHistoryRepository,
    private readonly settings: PredictionSettingsService,
    private readonly policies: PredictionPolicies,
    private readonly outbox: OutboxWriter,
    private readonly metrics: PredictionMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('clearance-prediction') private readonly logger: PinoLogger,
  ) {}

  async onTrackingUpdate(
    m: EntityManager,
    update: TrackingUpdate,
    status: carrier.TrackingStatus,
  ): Promise<PredictionOutcome> {
    const { tenantId } = update;
    const { parcelId } = update.parcel;
    const existing = await this.history.findForUpdate(m, tenantId, parcelId);
    const plan = planObservation(existing, {
      kind: observationKindOf(update.signal, status),
      occurredAt: update.occurredAt,
      late: update.late,
    });
    // The common case under load: another scan of a parcel whose history has nothing new.
    if (!changesHistory(plan)) return { plan };

    let policy: RequirementPolicy | undefined;
    const policyOf = async () => (policy ??= await this.policies.policyFor(m, tenantId, update.shipment));
    const features = existing?.features ?? featuresOf(update.shipment, cnyRatesOf(await policyOf()));

    let estimate: HoldEstimate | undefined;
    let stored: StoredPrediction | null = null;
    let emitted: EmittedPrediction | undefined;
    if (plan.predict) {
      const settings = await this.settings.effective(m, tenantId);
      // A tenant that turned predictions off gets no estimate either: turning them on later
      // still predicts its parcels still in transit.
      if (settings.enabled) {
        // The parcel itself is not in the counts yet (it has no outcome), so the estimate reads
        // history only: writing its row first or after changes nothing.
        estimate = estimateHoldProbability(await this.history.levelCounts(m, features), DEFAULT_ESTIMATOR);
        const emit = shouldEmit(estimate.probability, settings);
        const at = this.clock();
        stored = {
          at,
          probability: estimate.probability,
          modelVersion: estimate.modelVersion,
          threshold: settings.threshold,
          predictionId: emit ? this.newId(PREDICTION_ID_PREFIX) : null,
        };
        if (stored.predictionId) {
          emitted = {
            predictionId: stored.predictionId,
            tenantId,
            parcel: update.parcel,
            at,
            probability: estimate.probability,
            threshold: settings.threshold,
            modelVersion: estimate.modelVersion,
            likelyDocuments: likelyDocumentsOf(await policyOf()),
          };
        }
        const span = trace.getActiveSpan();
        span?.setAttribute('portico.prediction.probability', estimate.probability);
        span?.setAttribute('portico.prediction.emitted', emitted !== undefined);
      }
    }

    const written = await this.history.write(m, {
      tenantId,
      parcelId,
      create: plan.create ? { features, firstSeenAt: update.occurredAt } : null,
      features,
      markHeldAt: plan.markHeldAt,
      markResolvedAt: plan.markResolvedAt,
      prediction: stored,
    });
    if (!written) throw new ConcurrentHistoryWriteError(parcelId);

    if (emitted) {
      // Keyed by the parcel id like every clearance event: consumers see a parcel's events in order.
      await this.outbox.append(m, {
        topic: CLEARANCE_CASE_TOPIC.name,
        key: parcelId,
        tenantId,
        schema: ClearanceCaseEventSchema,
        message: holdPredictedEvent(emitted),
      });
      this.metrics.holdPredicted(emitted.modelVersion);
      // Ids and numbers only: nothing here says who the parcel is for.
      this.logger.info(
        {
          predictionId: emitted.predictionId,
          parcelId,
          tenantId,
          probability: emitted.probability,
          threshold: emitted.threshold,
          modelVersion: emitted.modelVersion,
        },
        'hold predicted',
      );
    }
    return { plan, ...(estimate ? { estimate } : {}), ...(emitted ? { emitted } : {}) };
  }
}
