import { Module } from '@nestjs/common';
import { TrackingEventsController } from './tracking-events.controller';
import { TrackingEventsMetrics } from './tracking-events.metrics';
import { TrackingEventsService } from './tracking-events.service';

/** The read side of the parcel projection: the tracking history API for the console. */
@Module({
  controllers: [TrackingEventsController],
  providers: [TrackingEventsService, TrackingEventsMetrics],
})
export class ParcelsModule {}
