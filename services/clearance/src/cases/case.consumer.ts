import { Ctx, Payload } from '@nestjs/microservices';
import { context as otelContext, trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventBatchContext, EventBatchPattern, EventConsumer, type EventContext } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  HoldPredictionService,
  type DueEmission,
  type PredictionOutcome,
} from '../prediction/hold-prediction.service';
import { CaseLifecycleService } from './case-lifecycle.service';
import { trackingUpdateOf, type TrackingUpdate } from './tracking-update';

/**
 * `carrier.tracking.v1`: customs holds open cases, releases and returns close them. Thin: map the
 * event, call the services with the transport's transaction. A batch handler: the transport hands it
 * a chunk's new tracking events at once (one transaction, one inbox statement for all of them, which
 * is most of what a record cost at 1,000 webhooks/s). The hold-prediction path runs once for the
 * chunk (ADR 0013); each event's case work then runs in order, in its own record's trace. A thrown
 * error rolls back the batch with its inbox rows; the transport then retries its records one by
 * one, so only the failing one goes to retry (then the DLQ).
 */
@EventConsumer()
export class CaseConsumer {
  constructor(
    private readonly lifecycle: CaseLifecycleService,
    private readonly predictions: HoldPredictionService,
    @InjectPinoLogger('clearance-cases') private readonly logger: PinoLogger,
  ) {}

  @EventBatchPattern('portico.carrier.v1.TrackingEventRecorded')
  async onTrackingEventsRecorded(
    @Payload() events: carrier.TrackingEventRecorded[],
    @Ctx() batch: EventBatchContext,
  ): Promise<void> {
    const m = batch.manager;
    const updates = events.map((event, i) => trackingUpdateOf(event, batch.contexts[i]!));
    const named = updates.flatMap((update, i) => (update ? [i] : []));
    // The prediction path reads and writes only its own tables, which the case work never touches:
    // running it first for the whole chunk changes nothing but where its events go (below).
    const outcomes = await this.predictions.predictChunk(
      m,
      named.map((i) => ({ update: updates[i]!, status: events[i]!.status })),
    );
    const predictionOf = new Map(named.map((recordIndex, j) => [recordIndex, outcomes[j]!]));

    // Outbox order stays what it was record by record (case events of record i, then its
    // HoldPredicted): a record's HoldPredicted waits until the next record that may write case
    // events, and goes in just before it. A duty hold then a first in-transit scan of one parcel
    // in one chunk is CaseOpened then HoldPredicted, so it cannot simply go first.
    let due: DueEmission[] = [];
    for (const i of events.keys()) {
      const ctx = batch.contexts[i]!;
      const update = updates[i];
      if (update && update.signal.kind !== 'irrelevant' && due.length > 0) {
        await this.predictions.emit(m, due);
        due = [];
      }
      const prediction = predictionOf.get(i);
      await ctx.inTrace(async () => {
        await this.onTrackingEventRecorded(ctx, update, prediction);
        if (prediction?.emitted)
          due.push({ prediction: prediction.emitted, traceContext: otelContext.active() });
      });
    }
    await this.predictions.emit(m, due);
  }

  private async onTrackingEventRecorded(
    ctx: EventContext,
    update: TrackingUpdate | undefined,
    prediction: PredictionOutcome | undefined,
  ): Promise<void> {
    const span = trace.getActiveSpan();
    span?.setAttribute('portico.parcel_id', ctx.parcelId);
    if (!update) {
      // Retrying cannot add the missing parcel reference; later events of the parcel must not wait.
      this.logger.warn(
        { eventId: ctx.eventId, parcelId: ctx.parcelId },
        'tracking event without a parcel reference ignored',
      );
      return;
    }
    const outcome = await this.lifecycle.applyTrackingUpdate(ctx.manager, update);
    if (prediction?.estimate) {
      span?.setAttribute('portico.prediction.probability', prediction.estimate.probability);
      span?.setAttribute('portico.prediction.emitted', prediction.emitted !== undefined);
    }
    if (outcome.caseIds.length > 0) span?.setAttribute('portico.case_id', outcome.caseIds[0]!);
    if (outcome.caseIds.length > 1) span?.setAttribute('portico.case_ids', [...outcome.caseIds]);
    span?.setAttribute(
      'portico.clearance.outcome',
      outcome.kind === 'ignored' ? `ignored:${outcome.reason}` : outcome.kind,
    );
  }
}
