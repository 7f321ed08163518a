import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access } from '@portico/auth';
import { TrackingEventsService } from './tracking-events.service';
import { parcelIdParam, trackingEventsQuery, type TrackingEventsPage } from './tracking-history';

/**
 * Internal: a parcel's tracking history, for the steward console only (service token `console`).
 * The console asks only after it has found the parcel in a case or task its user may see.
 */
@Controller('internal/v1/parcels/:parcelId')
@Access.service('console')
export class TrackingEventsController {
  constructor(private readonly events: TrackingEventsService) {}

  @Get('tracking-events')
  @Header('Cache-Control', 'no-store')
  list(@Param('parcelId') parcelId: string, @Query() query: unknown): Promise<TrackingEventsPage> {
    const id = parcelIdParam.parse(parcelId);
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', id);
    return this.events.page(id, trackingEventsQuery.parse(query));
  }
}
