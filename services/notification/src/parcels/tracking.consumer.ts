import { Ctx, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventBatchContext, EventBatchPattern, EventConsumer } from '@portico/messaging';
import { trackingUpdateOf } from './parcel-projection';
import { ParcelsService } from './parcels.service';

/**
 * `carrier.tracking.v1`: keeps notification's own view of every parcel up to date. A batch
 * handler: every scan of every parcel comes through here (1,000/s at the target load), and a run
 * of them is written with one statement instead of up to three per scan.
 */
@EventConsumer()
export class TrackingConsumer {
  constructor(private readonly parcels: ParcelsService) {}

  @EventBatchPattern('portico.carrier.v1.TrackingEventRecorded')
  async onTrackingEventRecorded(
    @Payload() events: carrier.TrackingEventRecorded[],
    @Ctx() batch: EventBatchContext,
  ): Promise<void> {
    const updates = events.map((event, i) => {
      const ctx = batch.contexts[i]!;
      return trackingUpdateOf(event, { eventId: ctx.eventId, occurredAt: ctx.occurredAt });
    });
    // Operators find a parcel's trace by its id: on each record's own span (the batch is in none).
    await Promise.all(
      batch.contexts.map((ctx) =>
        ctx.inTrace(() => {
          trace.getActiveSpan()?.setAttribute('portico.parcel_id', ctx.parcelId);
          return Promise.resolve();
        }),
      ),
    );
    await this.parcels.recordTrackingUpdates(batch.manager, updates);
  }
}
