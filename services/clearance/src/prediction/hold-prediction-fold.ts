import {
  DEFAULT_ESTIMATOR,
  estimateHoldProbability,
  NO_HISTORY,
  type HoldCounts,
  type HoldEstimate,
  type LevelCounts,
} from './hold-estimator';
import {
  BACKOFF_LEVELS,
  cellKeyId,
  cellKeysOf,
  type BackoffLevel,
  type CellKey,
  type HoldFeatures,
} from './hold-features';
import type { StoredPrediction } from './hold-history.repository';
import {
  changesHistory,
  planObservation,
  shouldEmit,
  type EffectiveSettings,
  type HoldHistoryState,
  type Observation,
  type ObservationPlan,
} from './hold-observation';

/**
 * The hold-prediction path of one consumer chunk, folded in memory (ADR 0013). Pure: the service
 * reads what the chunk needs in a constant number of statements (locked history rows, settings per
 * tenant, count cells), this fold replays the records in order exactly as the record-by-record
 * path did, and the service writes what it says in one statement.
 *
 * Exactness: record by record, record i saw the history row as records < i of its parcel left it,
 * and the count cells as the chunk's earlier outcomes left them (same transaction). The fold keeps
 * both in memory: `state` per parcel and `deltas` per count cell, added to the cells read at the
 * start. Nothing else the path reads is written by it (settings, policies), so the result is the
 * same row, the same counts and the same estimates.
 */

/** One tracking record of the chunk, as the prediction path sees it. */
export interface ChunkObservation {
  readonly tenantId: string;
  readonly parcelId: string;
  readonly observation: Observation;
}

/** Map key of a (tenant, parcel) pair. */
export function pairKey(tenantId: string, parcelId: string): string {
  return `${tenantId}\u0000${parcelId}`;
}

/**
 * Which records might be estimated, so the service knows whose settings and which cells to read.
 * It plans as if every tenant were enabled (every estimate then stored): a disabled tenant stores
 * no estimate, so a later in-transit record of its parcel plans `predict` again, but for the same
 * disabled tenant, which estimates nothing. Hence the records the real fold estimates are a subset
 * of these, and settings and counts read for these are enough.
 */
export function predictionCandidates(
  records: readonly ChunkObservation[],
  stored: ReadonlyMap<string, HoldHistoryState>,
): number[] {
  // Only whether held_at / resolved_at / predicted_at are set matters to planObservation.
  const state = new Map<string, HoldHistoryState>();
  const candidates: number[] = [];
  records.forEach((r, i) => {
    const key = pairKey(r.tenantId, r.parcelId);
    const before = state.get(key) ?? stored.get(key);
    const plan = planObservation(before, r.observation);
    if (plan.predict) candidates.push(i);
    if (!changesHistory(plan)) return;
    state.set(key, {
      features: before?.features ?? PLACEHOLDER_FEATURES,
      firstSeenAt: before?.firstSeenAt ?? r.observation.occurredAt,
      heldAt: before?.heldAt ?? plan.markHeldAt,
      resolvedAt: before?.resolvedAt ?? plan.markResolvedAt,
      predictedAt: before?.predictedAt ?? (plan.predict ? r.observation.occurredAt : null),
    });
  });
  return candidates;
}

/**
 * The count cells the fold reads: those of the candidates whose tenant is enabled (deduplicated).
 * A parcel's cells follow from its features, stored or computed at first sight.
 */
export function cellsToRead(
  records: readonly ChunkObservation[],
  candidates: readonly number[],
  facts: Omit<ChunkFacts, 'counts'>,
): CellKey[] {
  const cells = new Map<string, CellKey>();
  for (const i of candidates) {
    const r = records[i]!;
    if (!facts.settings.get(r.tenantId)?.enabled) continue;
    const key = pairKey(r.tenantId, r.parcelId);
    const features = facts.stored.get(key)?.features ?? facts.firstSightFeatures.get(key);
    if (!features) throw new Error('features of a first sight not computed');
    for (const cell of cellKeysOf(features)) cells.set(cellKeyId(cell), cell);
  }
  return [...cells.values()];
}

/** What the fold reads: all of it loaded before it runs. */
export interface ChunkFacts {
  /** The chunk's history rows that exist, locked, by `pairKey`. */
  readonly stored: ReadonlyMap<string, HoldHistoryState>;
  /** Features of each parcel first seen in this chunk (from its first record), by `pairKey`. */
  readonly firstSightFeatures: ReadonlyMap<string, HoldFeatures>;
  /** Settings of every tenant with a prediction candidate. */
  readonly settings: ReadonlyMap<string, EffectiveSettings>;
  /** Count cells (shards summed) by `cellKeyId`; a cell not in the map has no history. */
  readonly counts: ReadonlyMap<string, HoldCounts>;
}

/** Where the fold takes time and ids from (the service's clock and id generator). */
export interface FoldSources {
  readonly clock: () => Date;
  readonly newPredictionId: () => string;
}

export interface RecordPrediction {
  readonly plan: ObservationPlan;
  /** Set when the record was estimated (in transit, no outcome yet, tenant enabled). */
  readonly estimate?: HoldEstimate;
  /** The estimate as stored; `predictionId` set when HoldPredicted is to be emitted. */
  readonly prediction?: StoredPrediction;
}

/** A parcel first seen in the chunk: its row as the chunk leaves it. */
export interface HistoryInsert {
  readonly tenantId: string;
  readonly parcelId: string;
  readonly features: HoldFeatures;
  readonly firstSeenAt: Date;
  readonly heldAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly prediction: StoredPrediction | null;
}

/** A stored row the chunk changed: only the columns it set (each is set at most once per parcel). */
export interface HistoryUpdate {
  readonly tenantId: string;
  readonly parcelId: string;
  readonly markHeldAt: Date | null;
  readonly markResolvedAt: Date | null;
  readonly prediction: StoredPrediction | null;
}

/** The chunk's addition to one count cell. */
export interface CountDelta {
  readonly cell: CellKey;
  readonly level: BackoffLevel;
  readonly resolved: number;
  readonly held: number;
}

export interface ChunkWrites {
  /** Sorted by (tenant, parcel). */
  readonly inserts: readonly HistoryInsert[];
  /** Sorted by (tenant, parcel). */
  readonly updates: readonly HistoryUpdate[];
  /**
   * Summed per cell, in lock order: the all-parcels cell first (every transaction that counts
   * anything takes it first, see HoldHistoryRepository.writeChunk), then by level and key.
   */
  readonly counts: readonly CountDelta[];
}

export interface ChunkFold {
  /** One entry per record, in record order. */
  readonly records: readonly RecordPrediction[];
  readonly writes: ChunkWrites;
}

interface PairState {
  readonly tenantId: string;
  readonly parcelId: string;
  readonly features: HoldFeatures;
  readonly firstSeenAt: Date;
  readonly heldAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly predictedAt: Date | null;
  readonly created: boolean;
  readonly changed: boolean;
  readonly markHeldAt: Date | null;
  readonly markResolvedAt: Date | null;
  readonly prediction: StoredPrediction | null;
}

/** Replays the chunk's records in order over the facts: per record what it did, and the chunk's writes. */
export function foldChunk(
  records: readonly ChunkObservation[],
  facts: ChunkFacts,
  sources: FoldSources,
): ChunkFold {
  const pairs = new Map<string, PairState>();
  const deltas = new Map<string, { cell: CellKey; level: BackoffLevel; resolved: number; held: number }>();
  const countsOf = (features: HoldFeatures): LevelCounts => {
    const counts = {} as Record<BackoffLevel, HoldCounts>;
    cellKeysOf(features).forEach((cell, i) => {
      const id = cellKeyId(cell);
      const base = facts.counts.get(id) ?? NO_HISTORY;
      const delta = deltas.get(id);
      counts[BACKOFF_LEVELS[i]!] = delta
        ? { resolved: base.resolved + delta.resolved, held: base.held + delta.held }
        : base;
    });
    return counts;
  };

  const results = records.map((r): RecordPrediction => {
    const key = pairKey(r.tenantId, r.parcelId);
    const before = pairs.get(key) ?? initialState(r, key, facts);
    const existing: HoldHistoryState | undefined = before.created && !before.changed ? undefined : before;
    const plan = planObservation(existing, r.observation);
    if (!changesHistory(plan)) return { plan };

    let estimate: HoldEstimate | undefined;
    let prediction: StoredPrediction | undefined;
    if (plan.predict) {
      const settings = facts.settings.get(r.tenantId);
      if (!settings) throw new Error('prediction settings not loaded for a candidate tenant');
      // A tenant that turned predictions off gets no estimate either: turning them on later
      // still predicts its parcels still in transit.
      if (settings.enabled) {
        // The parcel itself is not in the counts (it has no outcome yet): its estimate reads the
        // history as the chunk's earlier records left it.
        estimate = estimateHoldProbability(countsOf(before.features), DEFAULT_ESTIMATOR);
        prediction = {
          at: sources.clock(),
          probability: estimate.probability,
          modelVersion: estimate.modelVersion,
          threshold: settings.threshold,
          predictionId: shouldEmit(estimate.probability, settings) ? sources.newPredictionId() : null,
        };
      }
    }

    const held = plan.markHeldAt ? 1 : 0;
    const resolved = plan.markResolvedAt ? 1 : 0;
    if (held + resolved > 0) {
      cellKeysOf(before.features).forEach((cell, i) => {
        const id = cellKeyId(cell);
        const d = deltas.get(id) ?? { cell, level: BACKOFF_LEVELS[i]!, resolved: 0, held: 0 };
        deltas.set(id, { ...d, resolved: d.resolved + resolved, held: d.held + held });
      });
    }
    pairs.set(key, {
      ...before,
      changed: true,
      heldAt: before.heldAt ?? plan.markHeldAt,
      resolvedAt: before.resolvedAt ?? plan.markResolvedAt,
      predictedAt: before.predictedAt ?? prediction?.at ?? null,
      markHeldAt: before.markHeldAt ?? plan.markHeldAt,
      markResolvedAt: before.markResolvedAt ?? plan.markResolvedAt,
      prediction: before.prediction ?? prediction ?? null,
    });
    return { plan, ...(estimate ? { estimate } : {}), ...(prediction ? { prediction } : {}) };
  });

  return { records: results, writes: writesOf([...pairs.values()], [...deltas.values()]) };
}

function initialState(r: ChunkObservation, key: string, facts: ChunkFacts): PairState {
  const row = facts.stored.get(key);
  const common = {
    tenantId: r.tenantId,
    parcelId: r.parcelId,
    changed: false,
    markHeldAt: null,
    markResolvedAt: null,
    prediction: null,
  };
  if (row) return { ...common, ...row, created: false };
  const features = facts.firstSightFeatures.get(key);
  if (!features) throw new Error('features of a first sight not computed');
  return {
    ...common,
    features,
    firstSeenAt: r.observation.occurredAt,
    heldAt: null,
    resolvedAt: null,
    predictedAt: null,
    created: true,
  };
}

function writesOf(pairs: PairState[], deltas: CountDelta[]): ChunkWrites {
  const changed = pairs.filter((p) => p.changed).sort(byPair);
  const inserts = changed
    .filter((p) => p.created)
    .map((p): HistoryInsert => ({
      tenantId: p.tenantId,
      parcelId: p.parcelId,
      features: p.features,
      firstSeenAt: p.firstSeenAt,
      heldAt: p.heldAt,
      resolvedAt: p.resolvedAt,
      prediction: p.prediction,
    }));
  // A known parcel of a disabled tenant planned an estimate and made none: nothing to write.
  const updates = changed
    .filter((p) => !p.created && (p.markHeldAt || p.markResolvedAt || p.prediction))
    .map((p): HistoryUpdate => ({
      tenantId: p.tenantId,
      parcelId: p.parcelId,
      markHeldAt: p.markHeldAt,
      markResolvedAt: p.markResolvedAt,
      prediction: p.prediction,
    }));
  const levelIndex = (l: BackoffLevel) => BACKOFF_LEVELS.indexOf(l);
  const counts = [...deltas].sort(
    (a, b) => levelIndex(a.level) - levelIndex(b.level) || compare(cellKeyId(a.cell), cellKeyId(b.cell)),
  );
  return { inserts, updates, counts };
}

const byPair = (a: PairState, b: PairState) =>
  compare(a.tenantId, b.tenantId) || compare(a.parcelId, b.parcelId);

// Code-unit order, as the lock read's ORDER BY under the "C" collation would give; any total order
// works for the writes as long as it is the same in every transaction.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// predictionCandidates plans without features (they decide no plan, only which cells to count).
const PLACEHOLDER_FEATURES: HoldFeatures = {
  carrierCode: '',
  originCountryCode: null,
  destinationCountryCode: null,
  valueBand: 'unknown',
};
