import type { EntityManager } from 'typeorm';
import { applyScans, unseenParcel, type ParcelScan, type ParcelState } from './parcel-state';
import { ParcelsRepository } from './parcels.repository';
import { TrackingEventsRepository } from './tracking-events.repository';
import type { TrackingHistoryEntry } from './tracking-history';

/**
 * A scan as the intake hands it over; `setLate` sets the flag of the event about to be published
 * (always called, so a batch retried after a rollback never keeps a stale flag).
 */
export interface ProjectedScan {
  readonly scan: ParcelScan;
  /** What the parcel's tracking history keeps of the update (no recipient field). */
  readonly history: TrackingHistoryEntry;
  readonly setLate: (late: boolean) => void;
}

/**
 * Keeps the parcel projection inside the intake's transaction, so the projection, the archive and
 * the published events can never disagree: each accepted update moves its parcel's state (or is
 * found late and marked so before it is published).
 */
export class ParcelProjection {
  constructor(
    private readonly parcels: ParcelsRepository = new ParcelsRepository(),
    private readonly history: TrackingEventsRepository = new TrackingEventsRepository(),
  ) {}

  async record(m: EntityManager, scans: readonly ProjectedScan[], now: Date): Promise<void> {
    if (scans.length === 0) return;
    const byParcel = new Map<string, ProjectedScan[]>();
    for (const s of scans) {
      const list = byParcel.get(s.scan.parcelId);
      if (list) list.push(s);
      else byParcel.set(s.scan.parcelId, [s]);
    }
    const unseen = [...byParcel.values()].map((list) => unseenParcel(list[0]!.scan, now));
    const current = await this.parcels.lockForUpdate(m, unseen);
    const next: ParcelState[] = [];
    const kept: (TrackingHistoryEntry & { late: boolean })[] = [];
    for (const [parcelId, list] of byParcel) {
      const { state, late } = applyScans(
        current.get(parcelId)!,
        list.map((s) => s.scan),
      );
      late.forEach((isLate, i) => {
        list[i]!.setLate(isLate);
        kept.push({ ...list[i]!.history, late: isLate });
      });
      next.push(state);
    }
    await this.parcels.save(m, next, now);
    // the history the console's parcel page reads, with the same late verdict as the event
    await this.history.append(m, kept);
  }
}
