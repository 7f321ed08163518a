import { Ctx, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventBatchContext, EventBatchPattern, EventConsumer, type EventContext } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { HoldPredictionService } from '../prediction/hold-prediction.service';
import { CaseLifecycleService } from './case-lifecycle.service';
import { trackingUpdateOf } from './tracking-update';

/**
 * `carrier.tracking.v1`: customs holds open cases, releases and returns close them. Thin: map the
 * event, call the service with the transport's transaction. A batch handler: the transport hands it
 * a chunk's new tracking events at once (one transaction, one inbox statement for all of them, which
 * is most of what a record cost at 1,000 webhooks/s); each event's work runs in its own record's
 * trace. A thrown error rolls back the batch with its inbox rows; the transport then retries its
 * records one by one, so only the failing one goes to retry (then the DLQ).
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
    // in order: two events of one parcel in a batch apply one after the other
    for (const [i, event] of events.entries()) {
      const ctx = batch.contexts[i]!;
      await ctx.inTrace(() => this.onTrackingEventRecorded(event, ctx));
    }
  }

  private async onTrackingEventRecorded(
    event: carrier.TrackingEventRecorded,
    ctx: EventContext,
  ): Promise<void> {
    const span = trace.getActiveSpan();
    span?.setAttribute('portico.parcel_id', ctx.parcelId);
    const update = trackingUpdateOf(event, ctx);
    if (!update) {
      // Retrying cannot add the missing parcel reference; later events of the parcel must not wait.
      this.logger.warn(
        { eventId: ctx.eventId, parcelId: ctx.parcelId },
        'tracking event without a parcel reference ignored',
      );
      return;
    }
    const outcome = await this.lifecycle.applyTrackingUpdate(ctx.manager, update);
    await this.predictions.onTrackingUpdate(ctx.manager, update, event.status);
    if (outcome.caseIds.length > 0) span?.setAttribute('portico.case_id', outcome.caseIds[0]!);
    if (outcome.caseIds.length > 1) span?.setAttribute('portico.case_ids', [...outcome.caseIds]);
    span?.setAttribute(
      'portico.clearance.outcome',
      outcome.kind === 'ignored' ? `ignored:${outcome.reason}` : outcome.kind,
    );
  }
}
