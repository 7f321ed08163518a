import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { applyTrackingUpdate, type TrackingUpdate } from './parcel-projection';
import { ParcelsRepository } from './parcels.repository';

@Injectable()
export class ParcelsService {
  constructor(private readonly parcels: ParcelsRepository) {}

  /** Folds a tracking event into the parcel's projection (see applyTrackingUpdate for the rules). */
  async recordTrackingUpdate(m: EntityManager, update: TrackingUpdate): Promise<void> {
    if (!update.parcelId || !update.tenantId) return; // nothing to key it by; contracts forbid it anyway
    if (await this.parcels.insertIfAbsent(m, applyTrackingUpdate(undefined, update))) return;
    const existing = await this.parcels.findForUpdate(m, update.tenantId, update.parcelId);
    await this.parcels.update(m, applyTrackingUpdate(existing, update));
  }
}
