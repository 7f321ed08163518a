import type { EncodedOutboxRows } from '@portico/messaging';
import type { IntakeTx } from '../webhooks/intake-transactions';
import { applyScans, unseenParcel, type ParcelScan, type ParcelState } from './parcel-state';
import { ParcelsRepository } from './parcels.repository';
import type { KeptTrackingEvent } from './tracking-events.repository';
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
  constructor(private readonly parcels: ParcelsRepository = new ParcelsRepository()) {}

  /**
   * Applies the scans to their parcels and writes the new states together with the events, which
   * `encodeEvents` encodes only after every scan's late flag is set (the flag is published).
   */
  async record(
    tx: IntakeTx,
    scans: readonly ProjectedScan[],
    now: Date,
    encodeEvents: () => EncodedOutboxRows,
  ): Promise<void> {
    const next: ParcelState[] = [];
    const kept: KeptTrackingEvent[] = [];
    if (scans.length > 0) {
      const byParcel = new Map<string, ProjectedScan[]>();
      for (const s of scans) {
        const list = byParcel.get(s.scan.parcelId);
        if (list) list.push(s);
        else byParcel.set(s.scan.parcelId, [s]);
      }
      const unseen = [...byParcel.values()].map((list) => unseenParcel(list[0]!.scan, now));
      const current = await this.parcels.lockForUpdate(tx, unseen);
      for (const [parcelId, list] of byParcel) {
        const { state, late } = applyScans(
          current.get(parcelId)!,
          list.map((s) => s.scan),
        );
        late.forEach((isLate, i) => {
          list[i]!.setLate(isLate);
          // the history the console's parcel page reads, with the same late verdict as the event
          kept.push({ ...list[i]!.history, late: isLate });
        });
        next.push(state);
      }
    }
    await this.parcels.saveWithEvents(tx, next, now, kept, encodeEvents());
  }
}
