import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { foldTrackingRuns, type TrackingUpdate } from './parcel-projection';
import { ParcelsMetrics } from './parcels.metrics';
import { ParcelsRepository } from './parcels.repository';

@Injectable()
export class ParcelsService {
  private readonly log: Logger;

  constructor(
    private readonly parcels: ParcelsRepository,
    private readonly metrics: ParcelsMetrics,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'parcels' });
  }

  /** Folds one tracking event into the parcel's projection (a batch of one). */
  recordTrackingUpdate(m: EntityManager, update: TrackingUpdate): Promise<void> {
    return this.recordTrackingUpdates(m, [update]);
  }

  /**
   * Folds a chunk's tracking events (in partition order, so in order per parcel) into the
   * projection: one statement for all of them (foldTrackingRuns for the rules). Updates without a
   * parcel or tenant id have nothing to key them by (contracts forbid them) and are skipped.
   */
  async recordTrackingUpdates(m: EntityManager, updates: readonly TrackingUpdate[]): Promise<void> {
    const runs = foldTrackingRuns(updates);
    const projected = updates.filter((u) => u.parcelId && u.tenantId).length;
    this.metrics.folded(projected, updates.length - projected);
    if (runs.length === 0) return;
    const started = performance.now();
    await this.parcels.upsertMany(m, runs);
    this.metrics.written((performance.now() - started) / 1000);
    // ids and counts only; one line per chunk (a line per scan would be most of the log volume)
    this.log.debug({ updates: projected, parcels: runs.length }, 'tracking updates projected');
  }
}
