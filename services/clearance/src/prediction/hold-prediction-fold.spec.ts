import { applyHistoryRowWrites } from '../test-support/history-writes';
import { DEFAULT_ESTIMATOR, estimateHoldProbability, type HoldCounts } from './hold-estimator';
import { cellKeyId, cellKeysOf, type HoldFeatures } from './hold-features';
import {
  cellsToRead,
  foldChunk,
  pairKey,
  predictionCandidates,
  type ChunkFacts,
  type ChunkObservation,
  type ChunkWrites,
} from './hold-prediction-fold';
import type { EffectiveSettings, HoldHistoryState, ObservationKind } from './hold-observation';

const T0 = new Date('2026-11-24T06:00:00Z').getTime();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const JP_CN: HoldFeatures = {
  carrierCode: 'sf-express',
  originCountryCode: 'JP',
  destinationCountryCode: 'CN',
  valueBand: '1000-5000',
};
const US_CN: HoldFeatures = { ...JP_CN, originCountryCode: 'US', valueBand: '<200' };
const ENABLED: EffectiveSettings = { threshold: 0.5, enabled: true };

const record = (
  parcel: string,
  kind: ObservationKind,
  minutes: number,
  { tenant = 'ten_a', late = false } = {},
): ChunkObservation => ({
  tenantId: tenant,
  parcelId: parcel,
  observation: { kind, occurredAt: at(minutes), late },
});

/** Counts where 9 of 10 parcels of every cell were held: estimates well above 0.5. */
function heldHistory(...features: HoldFeatures[]): Map<string, HoldCounts> {
  return new Map(
    features.flatMap((f) => cellKeysOf(f).map((c) => [cellKeyId(c), { resolved: 100, held: 90 }] as const)),
  );
}

function facts(over: Partial<ChunkFacts> & { features?: Record<string, HoldFeatures> } = {}): ChunkFacts {
  const firstSight = new Map(
    Object.entries(over.features ?? {}).map(([parcel, f]) => [pairKey('ten_a', parcel), f]),
  );
  return {
    stored: over.stored ?? new Map(),
    firstSightFeatures: over.firstSightFeatures ?? firstSight,
    settings: over.settings ?? new Map([['ten_a', ENABLED]]),
    counts: over.counts ?? new Map(),
  };
}

function sources() {
  let ids = 0;
  let ticks = 0;
  return {
    clock: () => at(1_000 + ticks++),
    newPredictionId: () => `hp_${String(++ids).padStart(32, '0')}`,
  };
}

describe('foldChunk', () => {
  it('applies two records of one parcel one after the other: one insert with the final row', () => {
    const chunk = [record('p1', 'in_transit', 0), record('p1', 'document_hold', 5)];
    const fold = foldChunk(chunk, facts({ features: { p1: JP_CN }, counts: heldHistory(JP_CN) }), sources());

    expect(fold.records[0]!.plan).toEqual({
      create: true,
      markHeldAt: null,
      markResolvedAt: null,
      predict: true,
    });
    expect(fold.records[0]!.prediction).toMatchObject({
      threshold: 0.5,
      predictionId: `hp_${'1'.padStart(32, '0')}`,
    });
    // the second record sees the row the first one left: no second create, no second estimate
    expect(fold.records[1]!.plan).toEqual({
      create: false,
      markHeldAt: at(5),
      markResolvedAt: at(5),
      predict: false,
    });
    expect(fold.writes.inserts).toEqual([
      {
        tenantId: 'ten_a',
        parcelId: 'p1',
        features: JP_CN,
        firstSeenAt: at(0),
        heldAt: at(5),
        resolvedAt: at(5),
        prediction: fold.records[0]!.prediction,
      },
    ]);
    expect(fold.writes.updates).toEqual([]);
    expect(fold.writes.counts.map((d) => [d.level, d.resolved, d.held])).toEqual([
      ['all', 1, 1],
      ['destination', 1, 1],
      ['lane', 1, 1],
      ['carrier', 1, 1],
      ['cell', 1, 1],
    ]);
  });

  it('skips late in-transit events and estimates the next timely one', () => {
    const chunk = [record('p1', 'in_transit', 10, { late: true }), record('p1', 'in_transit', 20)];
    const fold = foldChunk(chunk, facts({ features: { p1: JP_CN } }), sources());
    expect(fold.records[0]).toEqual({
      plan: { create: true, markHeldAt: null, markResolvedAt: null, predict: false },
    });
    expect(fold.records[1]!.plan.predict).toBe(true);
    // empty history: the prior, below the threshold, stored without an id
    expect(fold.records[1]!.prediction).toMatchObject({ probability: 0.1, predictionId: null });
    expect(fold.writes.inserts[0]).toMatchObject({ firstSeenAt: at(10), prediction: { probability: 0.1 } });
    expect(fold.writes.counts).toEqual([]);
  });

  it('counts a hold then a release of one chunk once (the release finds the parcel resolved)', () => {
    const stored = new Map<string, HoldHistoryState>([
      [
        pairKey('ten_a', 'p1'),
        { features: US_CN, firstSeenAt: at(0), heldAt: null, resolvedAt: null, predictedAt: at(1) },
      ],
    ]);
    const chunk = [record('p1', 'document_hold', 30), record('p1', 'resolved', 90)];
    const fold = foldChunk(chunk, facts({ stored }), sources());
    expect(fold.records[1]!.plan).toEqual({
      create: false,
      markHeldAt: null,
      markResolvedAt: null,
      predict: false,
    });
    expect(fold.writes.inserts).toEqual([]);
    expect(fold.writes.updates).toEqual([
      { tenantId: 'ten_a', parcelId: 'p1', markHeldAt: at(30), markResolvedAt: at(30), prediction: null },
    ]);
    expect(fold.writes.counts.every((d) => d.resolved === 1 && d.held === 1)).toBe(true);
  });

  it('lets a later parcel see the counts the chunk’s earlier outcomes moved', () => {
    const base = heldHistory(JP_CN);
    const chunk = [
      record('p1', 'document_hold', 0),
      record('p2', 'resolved', 1),
      record('p3', 'in_transit', 2),
    ];
    const fold = foldChunk(
      chunk,
      facts({ features: { p1: JP_CN, p2: JP_CN, p3: JP_CN }, counts: base }),
      sources(),
    );
    const moved = Object.fromEntries(
      cellKeysOf(JP_CN).map((c, i) => [
        ['all', 'destination', 'lane', 'carrier', 'cell'][i]!,
        { resolved: 102, held: 91 },
      ]),
    );
    expect(fold.records[2]!.estimate!.probability).toBe(
      estimateHoldProbability(moved as never, DEFAULT_ESTIMATOR).probability,
    );
  });

  it('estimates nothing for a tenant with predictions disabled and reads no cells for it', () => {
    const settings = new Map([
      ['ten_a', ENABLED],
      ['ten_off', { threshold: 0.1, enabled: false }],
    ]);
    const stored = new Map<string, HoldHistoryState>([
      [
        pairKey('ten_off', 'known'),
        { features: US_CN, firstSeenAt: at(0), heldAt: null, resolvedAt: null, predictedAt: null },
      ],
    ]);
    const chunk = [
      record('known', 'in_transit', 5, { tenant: 'ten_off' }),
      record('known', 'in_transit', 6, { tenant: 'ten_off' }),
      record('p1', 'in_transit', 7),
    ];
    const f = facts({ stored, settings, features: { p1: JP_CN } });
    const candidates = predictionCandidates(chunk, stored);
    // planned as if enabled: the second scan of `known` is not a candidate
    expect(candidates).toEqual([0, 2]);
    expect(cellsToRead(chunk, candidates, f).map(cellKeyId)).toEqual(cellKeysOf(JP_CN).map(cellKeyId));

    const fold = foldChunk(chunk, f, sources());
    expect(fold.records[0]!.estimate).toBeUndefined();
    expect(fold.records[1]!.estimate).toBeUndefined();
    expect(fold.records[2]!.estimate).toBeDefined();
    // a known parcel of the disabled tenant has nothing to write
    expect(fold.writes.updates).toEqual([]);
    expect(fold.writes.inserts.map((i) => i.parcelId)).toEqual(['p1']);
  });

  it('orders the writes: rows by (tenant, parcel), count cells all-parcels first', () => {
    const chunk = [record('p9', 'resolved', 0), record('p2', 'document_hold', 1, { tenant: 'ten_0' })];
    const f = facts({
      firstSightFeatures: new Map([
        [pairKey('ten_a', 'p9'), US_CN],
        [pairKey('ten_0', 'p2'), JP_CN],
      ]),
    });
    const fold = foldChunk(chunk, f, sources());
    expect(fold.writes.inserts.map((i) => i.parcelId)).toEqual(['p2', 'p9']);
    expect(fold.writes.counts[0]).toMatchObject({ level: 'all', resolved: 2, held: 1 });
    const levels = fold.writes.counts.map((d) => d.level);
    expect(levels).toEqual(['all', 'destination', 'lane', 'lane', 'carrier', 'carrier', 'cell', 'cell']);
  });
});

describe('foldChunk against record by record', () => {
  /** The store the writes go to: what the database holds after each transaction's statements. */
  class Store {
    rows = new Map<string, HoldHistoryState>();
    counts = new Map<string, HoldCounts>();

    apply(w: ChunkWrites) {
      applyHistoryRowWrites(this.rows, w);
      for (const d of w.counts) {
        const id = cellKeyId(d.cell);
        const c = this.counts.get(id) ?? { resolved: 0, held: 0 };
        this.counts.set(id, { resolved: c.resolved + d.resolved, held: c.held + d.held });
      }
    }
  }

  const KINDS: ObservationKind[] = [
    'in_transit',
    'in_transit',
    'in_transit',
    'document_hold',
    'resolved',
    'other',
  ];
  const FEATURES = [JP_CN, US_CN, { ...JP_CN, carrierCode: 'ems' }];
  const TENANTS = ['ten_a', 'ten_b', 'ten_off'];
  const settings = new Map<string, EffectiveSettings>([
    ['ten_a', { threshold: 0.3, enabled: true }],
    ['ten_b', { threshold: 0.9, enabled: true }],
    ['ten_off', { threshold: 0.5, enabled: false }],
  ]);

  // A small deterministic generator: the same 400 chunks on every run.
  function random(seed: number) {
    let s = seed;
    return (n: number) => {
      s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
      return s % n;
    };
  }

  function featuresFor(
    chunk: ChunkObservation[],
    stored: ReadonlyMap<string, unknown>,
    pick: (n: number) => number,
  ) {
    const f = new Map<string, HoldFeatures>();
    for (const r of chunk) {
      const key = pairKey(r.tenantId, r.parcelId);
      if (!stored.has(key) && !f.has(key)) f.set(key, FEATURES[pick(FEATURES.length)]!);
    }
    return f;
  }

  it('gives the same rows, counts, estimates and emissions on 400 random chunks', () => {
    const pick = random(7);
    const seen = { estimates: 0, emitted: 0, sharedParcels: 0, countMoves: 0 };
    for (let run = 0; run < 400; run++) {
      const chunked = new Store();
      const oneByOne = new Store();
      // some history before the chunk, the same in both
      for (const s of [chunked, oneByOne]) {
        s.counts = heldHistory(JP_CN);
        s.rows.set(pairKey('ten_a', 'p0'), {
          features: US_CN,
          firstSeenAt: at(-100),
          heldAt: null,
          resolvedAt: null,
          predictedAt: null,
        });
      }
      const chunk = Array.from({ length: 1 + pick(12) }, (_, i) =>
        record(`p${pick(5)}`, KINDS[pick(KINDS.length)]!, i, {
          tenant: TENANTS[pick(2) === 0 ? 0 : pick(TENANTS.length)]!,
          late: pick(5) === 0,
        }),
      );
      const features = featuresFor(chunk, chunked.rows, pick);
      const candidates = new Set(predictionCandidates(chunk, chunked.rows));

      const chunkSources = sources();
      const folded = foldChunk(
        chunk,
        {
          stored: new Map(chunked.rows),
          firstSightFeatures: features,
          settings,
          counts: new Map(chunked.counts),
        },
        chunkSources,
      );
      chunked.apply(folded.writes);

      const singleSources = sources();
      const single = chunk.map((r) => {
        const fold = foldChunk(
          [r],
          {
            stored: new Map(oneByOne.rows),
            firstSightFeatures: features,
            settings,
            counts: new Map(oneByOne.counts),
          },
          singleSources,
        );
        oneByOne.apply(fold.writes);
        return fold.records[0]!;
      });

      expect(folded.records).toEqual(single);
      expect(chunked.rows).toEqual(oneByOne.rows);
      expect(chunked.counts).toEqual(oneByOne.counts);
      // the candidates (whose settings and cells are read) cover every record the fold estimated
      folded.records.forEach((r, i) => {
        if (r.estimate) expect(candidates.has(i)).toBe(true);
      });
      seen.estimates += folded.records.filter((r) => r.estimate).length;
      seen.emitted += folded.records.filter((r) => r.prediction?.predictionId).length;
      seen.sharedParcels += chunk.length - new Set(chunk.map((r) => pairKey(r.tenantId, r.parcelId))).size;
      seen.countMoves += folded.writes.counts.length;
    }
    // the chunks exercised what the fold is about
    expect(seen.estimates).toBeGreaterThan(100);
    expect(seen.emitted).toBeGreaterThan(50);
    expect(seen.sharedParcels).toBeGreaterThan(400);
    expect(seen.countMoves).toBeGreaterThan(400);
  });
});
