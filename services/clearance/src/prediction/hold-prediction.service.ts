import { Inject, Injectable } from '@nestjs/common';
import { context as otelContext, type Context } from '@opentelemetry/api';
import { CLEARANCE_CASE_TOPIC, ClearanceCaseEventSchema, type carrier } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { TrackingUpdate } from '../cases/tracking-update';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import type { HoldEstimate } from './hold-estimator';
import { featuresOf, type HoldFeatures } from './hold-features';
import { HoldHistoryRepository } from './hold-history.repository';
import { observationKindOf, type ObservationPlan } from './hold-observation';
import {
  cellsToRead,
  foldChunk,
  pairKey,
  predictionCandidates,
  type ChunkObservation,
} from './hold-prediction-fold';
import { holdPredictedEvent, type EmittedPrediction } from './hold-predicted-event';
import { ConcurrentHistoryWriteError } from './prediction-errors';
import { PredictionMetrics } from './prediction-metrics';
import { cnyRatesOf, likelyDocumentsOf, PredictionPolicies } from './prediction-policies';
import { PredictionSettingsService } from './prediction-settings.service';

export const PREDICTION_ID_PREFIX = 'hp';

/** One tracking record of a consumer chunk. */
export interface PredictionInput {
  readonly update: TrackingUpdate;
  readonly status: carrier.TrackingStatus;
}

export interface PredictionOutcome {
  readonly plan: ObservationPlan;
  /** Set when the parcel was estimated (in transit, no outcome yet, tenant enabled). */
  readonly estimate?: HoldEstimate;
  /** Set when HoldPredicted is due: the caller appends it with `emit`, in the record's place. */
  readonly emitted?: EmittedPrediction;
}

/** A HoldPredicted to append, with the trace of the record it came from. */
export interface DueEmission {
  readonly prediction: EmittedPrediction;
  readonly traceContext: Context;
}

/**
 * The hold history and the predictions made from it, fed by every tracking event in the consumer's
 * transaction: first sight records the parcel's features, its first document hold or release records
 * the outcome (and moves the count cells), and its first in-transit event gets one estimate, emitted
 * as HoldPredicted when at or above the tenant's threshold. The estimate is stored with the row
 * whether emitted or not, so a redelivery, a second scan or a later in-transit event never estimates
 * or emits again, and the report can compare estimates with what happened.
 *
 * A consumer chunk is handled at once (ADR 0013): a constant number of statements (locked rows,
 * settings, counts, one write) around a pure fold that gives what record by record gave.
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

  /**
   * Records the chunk's observations and makes its estimates, in record order; one outcome per
   * input. HoldPredicted is not appended here: the caller appends each `emitted` with `emit` where
   * record by record would have (after the case work of earlier records, before that of later ones).
   */
  async predictChunk(m: EntityManager, inputs: readonly PredictionInput[]): Promise<PredictionOutcome[]> {
    if (inputs.length === 0) return [];
    const records: ChunkObservation[] = inputs.map(({ update, status }) => ({
      tenantId: update.tenantId,
      parcelId: update.parcel.parcelId,
      observation: {
        kind: observationKindOf(update.signal, status),
        occurredAt: update.occurredAt,
        late: update.late,
      },
    }));
    const stored = await this.history.lockMany(m, uniquePairs(records));
    const firstSightFeatures = await this.firstSightFeatures(m, inputs, stored);

    const candidates = predictionCandidates(records, stored);
    const settings = candidates.length
      ? await this.settings.effectiveMany(
          m,
          candidates.map((i) => records[i]!.tenantId),
        )
      : new Map();
    const cells = cellsToRead(records, candidates, { stored, firstSightFeatures, settings });
    const counts = await this.history.countsOf(m, cells);

    const fold = foldChunk(
      records,
      { stored, firstSightFeatures, settings, counts },
      { clock: this.clock, newPredictionId: () => this.newId(PREDICTION_ID_PREFIX) },
    );
    const { lostInserts } = await this.history.writeChunk(m, fold.writes);
    if (lostInserts.length > 0) throw new ConcurrentHistoryWriteError(lostInserts[0]!);

    const outcomes: PredictionOutcome[] = [];
    // One by one: a policy cache miss reads through the chunk's one connection.
    for (const [i, r] of fold.records.entries()) {
      const { update } = inputs[i]!;
      const predictionId = r.prediction?.predictionId;
      if (!r.prediction || !predictionId) {
        outcomes.push({ plan: r.plan, ...(r.estimate ? { estimate: r.estimate } : {}) });
        continue;
      }
      const policy = await this.policies.policyFor(m, update.tenantId, update.shipment);
      const emitted: EmittedPrediction = {
        predictionId,
        tenantId: update.tenantId,
        parcel: update.parcel,
        at: r.prediction.at,
        probability: r.prediction.probability,
        threshold: r.prediction.threshold,
        modelVersion: r.prediction.modelVersion,
        likelyDocuments: likelyDocumentsOf(policy),
      };
      outcomes.push({ plan: r.plan, ...(r.estimate ? { estimate: r.estimate } : {}), emitted });
    }
    return outcomes;
  }

  /** Appends HoldPredicted events in one statement, each in its record's trace, in the given order. */
  async emit(m: EntityManager, due: readonly DueEmission[]): Promise<void> {
    if (due.length === 0) return;
    await this.outbox.appendMany(
      m,
      due.map(({ prediction, traceContext }) => ({
        // Keyed by the parcel id like every clearance event: consumers see a parcel's events in order.
        topic: CLEARANCE_CASE_TOPIC.name,
        key: prediction.parcel.parcelId,
        tenantId: prediction.tenantId,
        schema: ClearanceCaseEventSchema,
        message: holdPredictedEvent(prediction),
        traceContext,
      })),
    );
    for (const { prediction, traceContext } of due) {
      this.metrics.holdPredicted(prediction.modelVersion);
      // Ids and numbers only: nothing here says who the parcel is for.
      otelContext.with(traceContext, () =>
        this.logger.info(
          {
            predictionId: prediction.predictionId,
            parcelId: prediction.parcel.parcelId,
            tenantId: prediction.tenantId,
            probability: prediction.probability,
            threshold: prediction.threshold,
            modelVersion: prediction.modelVersion,
          },
          'hold predicted',
        ),
      );
    }
  }

  /**
   * Features of the parcels first seen in this chunk, from each one's first record (features are
   * fixed at first sight). The value band needs the parcel's policy (cached per tenant for 60 s).
   */
  private async firstSightFeatures(
    m: EntityManager,
    inputs: readonly PredictionInput[],
    stored: ReadonlyMap<string, unknown>,
  ): Promise<Map<string, HoldFeatures>> {
    const features = new Map<string, HoldFeatures>();
    for (const { update } of inputs) {
      const key = pairKey(update.tenantId, update.parcel.parcelId);
      if (stored.has(key) || features.has(key)) continue;
      const policy = await this.policies.policyFor(m, update.tenantId, update.shipment);
      features.set(key, featuresOf(update.shipment, cnyRatesOf(policy)));
    }
    return features;
  }
}

function uniquePairs(records: readonly ChunkObservation[]) {
  const pairs = new Map(records.map((r) => [pairKey(r.tenantId, r.parcelId), r]));
  return [...pairs.values()];
}
