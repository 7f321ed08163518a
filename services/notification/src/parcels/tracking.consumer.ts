import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { trackingUpdateOf } from './parcel-projection';
import { ParcelsService } from './parcels.service';

/** `carrier.tracking.v1`: keeps notification's own view of every parcel up to date. */
@EventConsumer()
export class TrackingConsumer {
  constructor(private readonly parcels: ParcelsService) {}

  @EventPattern('portico.carrier.v1.TrackingEventRecorded')
  async onTrackingEventRecorded(
    @Payload() event: carrier.TrackingEventRecorded,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', ctx.parcelId);
    await this.parcels.recordTrackingUpdate(
      ctx.manager,
      trackingUpdateOf(event, { eventId: ctx.eventId, occurredAt: ctx.occurredAt }),
    );
  }
}
