import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { HoldPredictionService } from '../prediction/hold-prediction.service';
import { CaseLifecycleService } from './case-lifecycle.service';
import { trackingUpdateOf } from './tracking-update';

/**
 * `carrier.tracking.v1`: customs holds open cases, releases and returns close them. Thin: map the
 * event, call the service with the transport's transaction. A thrown error rolls back the case
 * change together with the inbox row and sends the record to retry (then the DLQ).
 */
@EventConsumer()
export class CaseConsumer {
  constructor(
    private readonly lifecycle: CaseLifecycleService,
    private readonly predictions: HoldPredictionService,
    @InjectPinoLogger('clearance-cases') private readonly logger: PinoLogger,
  ) {}

  @EventPattern('portico.carrier.v1.TrackingEventRecorded')
  async onTrackingEventRecorded(
    @Payload() event: carrier.TrackingEventRecorded,
    @Ctx() ctx: EventContext,
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
