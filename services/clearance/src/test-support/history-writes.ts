import { pairKey, type ChunkWrites } from '../prediction/hold-prediction-fold';
import type { HoldHistoryState } from '../prediction/hold-observation';

/**
 * What a chunk's history writes leave the stored rows as (keyed by pairKey), the way
 * HoldHistoryRepository.writeChunk's SQL does it: inserts as planned, updates setting each column
 * only where it was still empty. For the in-memory repositories of the unit specs.
 */
export function applyHistoryRowWrites(rows: Map<string, HoldHistoryState>, writes: ChunkWrites): void {
  for (const r of writes.inserts) {
    rows.set(pairKey(r.tenantId, r.parcelId), {
      features: r.features,
      firstSeenAt: r.firstSeenAt,
      heldAt: r.heldAt,
      resolvedAt: r.resolvedAt,
      predictedAt: r.prediction?.at ?? null,
    });
  }
  for (const u of writes.updates) {
    const key = pairKey(u.tenantId, u.parcelId);
    const before = rows.get(key)!;
    rows.set(key, {
      ...before,
      heldAt: before.heldAt ?? u.markHeldAt,
      resolvedAt: before.resolvedAt ?? u.markResolvedAt,
      predictedAt: before.predictedAt ?? u.prediction?.at ?? null,
    });
  }
}
