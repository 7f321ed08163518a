import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@portico/service-kit';
import { TrackingEventsMetrics } from './tracking-events.metrics';
import { TrackingEventsRepository } from './tracking-events.repository';
import { toPage, type TrackingEventsPage, type TrackingEventsQuery } from './tracking-history';

/**
 * A parcel's tracking history for the console. The caller (a service token) is trusted to have
 * checked that its user may see the parcel; this service knows no properties, so it answers facts
 * about the carrier's scans only — nothing about the recipient.
 */
@Injectable()
export class TrackingEventsService {
  private readonly logger = new Logger('tracking-history');
  private readonly history = new TrackingEventsRepository();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly metrics: TrackingEventsMetrics,
  ) {}

  async page(parcelId: string, query: TrackingEventsQuery): Promise<TrackingEventsPage> {
    const rows = await this.uow.read((m) => this.history.page(m, parcelId, query));
    const page = toPage(parcelId, query, rows);
    this.metrics.reads.inc({ outcome: page.items.length > 0 ? 'found' : 'empty' });
    this.logger.log(
      { parcelId, order: query.order, items: page.items.length, more: page.nextCursor !== null },
      'tracking history read',
    );
    return page;
  }
}
