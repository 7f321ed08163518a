import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DetectionService } from '../detection/detection.service';
import { observationOf } from './tracking-observation';

/**
 * `carrier.tracking.v1`: the parcel projection and every detection rule. Thin: map, call the
 * service with the transport's transaction (which also holds the inbox row: a redelivery is a
 * no-op, and a throw rolls everything back and sends the record to retry, then the DLQ).
 */
@EventConsumer()
export class TrackingConsumer {
  constructor(
    private readonly detection: DetectionService,
    @InjectPinoLogger('claims-tracking') private readonly logger: PinoLogger,
  ) {}

  @EventPattern('portico.carrier.v1.TrackingEventRecorded')
  async onTrackingEventRecorded(
    @Payload() event: carrier.TrackingEventRecorded,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const span = trace.getActiveSpan();
    span?.setAttribute('portico.parcel_id', ctx.parcelId);
    const o = observationOf(event, {
      eventId: ctx.eventId,
      tenantId: ctx.tenantId,
      occurredAt: ctx.occurredAt,
    });
    if (!o) {
      this.logger.warn(
        { eventId: ctx.eventId, parcelId: ctx.parcelId },
        'tracking event without a parcel reference ignored',
      );
      return;
    }
    const outcome = await this.detection.onTracking(ctx.manager, o);
    if (outcome.claimId) span?.setAttribute('portico.claim_id', outcome.claimId);
    span?.setAttribute(
      'portico.claims.outcome',
      outcome.opened ?? (outcome.closedAsFound ? 'closed_as_found' : 'projected'),
    );
    if (outcome.opened || outcome.closedAsFound) {
      this.logger.info(
        {
          eventId: ctx.eventId,
          parcelId: o.parcel.parcelId,
          tenantId: o.tenantId,
          claimId: outcome.claimId ?? outcome.closedAsFound,
          outcome: outcome.opened ?? 'closed_as_found',
        },
        'tracking event changed a claim',
      );
    }
  }
}
