import type { HoldFeatures } from './hold-features';
import { evaluatePredictor, formatEvaluation, scoreAt, type HistoryRecord } from './predictor-evaluation';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1);
const at = (minutes: number) => new Date(T0 + minutes * MIN);
const A: HoldFeatures = {
  carrierCode: 'sf-express',
  originCountryCode: 'JP',
  destinationCountryCode: 'CN',
  valueBand: '1000-5000',
};
const B: HoldFeatures = {
  carrierCode: 'ups',
  originCountryCode: 'DE',
  destinationCountryCode: 'US',
  valueBand: '<200',
};

function parcel(
  features: HoldFeatures,
  seen: number,
  outcome: { held?: number; resolved?: number },
  extra: Partial<HistoryRecord> = {},
): HistoryRecord {
  const heldAt = outcome.held === undefined ? null : at(outcome.held);
  return {
    tenantId: 'ten_a',
    features,
    firstSeenAt: at(seen),
    heldAt,
    resolvedAt: outcome.resolved === undefined ? heldAt : at(outcome.resolved),
    predictionEmitted: false,
    ...extra,
  };
}

const options = { thresholds: [0.5], tenantThreshold: () => 0.5 };

describe('scoreAt', () => {
  it('counts at-or-above as predicted and computes precision, recall and F1', () => {
    const s = scoreAt(
      [
        { probability: 0.9, held: true },
        { probability: 0.5, held: false },
        { probability: 0.2, held: true },
        { probability: 0.1, held: false },
      ],
      0.5,
    );
    expect(s).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 1, trueNegatives: 1 });
    expect([s.precision, s.recall, s.f1]).toEqual([0.5, 0.5, 0.5]);
  });

  it('leaves precision undefined when nothing is predicted, recall when nothing was held', () => {
    expect(scoreAt([{ probability: 0.1, held: true }], 0.5)).toMatchObject({
      precision: null,
      recall: 0,
      f1: null,
    });
    expect(scoreAt([{ probability: 0.9, held: false }], 0.5)).toMatchObject({
      precision: 0,
      recall: null,
      f1: null,
    });
  });
});

describe('evaluatePredictor', () => {
  it('never uses a parcel’s own outcome, nor outcomes known only later or at the same instant', () => {
    // One held parcel, scored alone: only the prior is known before it was first seen.
    const alone = evaluatePredictor([parcel(A, 0, { held: 10 })], { ...options, thresholds: [0.1, 0.11] });
    expect(alone.byThreshold.map((s) => s.truePositives)).toEqual([1, 0]);
    expect(alone.brierScore).toBeCloseTo(0.81, 12); // (0.1 - 1)^2

    // Parcel 2 is first seen exactly when parcel 1 is held: that hold does not count for it.
    const tie = evaluatePredictor([parcel(A, 0, { held: 10 }), parcel(A, 10, { held: 20 })], {
      ...options,
      thresholds: [0.11],
    });
    expect(tie.byThreshold[0]).toMatchObject({ truePositives: 0, falseNegatives: 2 });
    const after = evaluatePredictor([parcel(A, 0, { held: 10 }), parcel(A, 11, { held: 20 })], {
      ...options,
      thresholds: [0.11],
    });
    expect(after.byThreshold[0]).toMatchObject({ truePositives: 1, falseNegatives: 1 });
  });

  it('scores a known answer: a lane that is always held against one that never is', () => {
    const records: HistoryRecord[] = [];
    // training history: 100 of A, all held; 100 of B, all delivered
    for (let i = 0; i < 100; i++) {
      records.push(parcel(A, i, { held: 500 + i }));
      records.push(parcel(B, i, { resolved: 500 + i }));
    }
    // scored from minute 1000: 8 of 10 A held, 1 of 10 B held; outcomes after every sighting
    for (let i = 0; i < 10; i++) {
      records.push(
        parcel(A, 1000 + i, i < 8 ? { held: 2000 + i } : { resolved: 2000 + i }, {
          tenantId: 'ten_b',
          predictionEmitted: i < 5 || i === 9,
        }),
      );
      records.push(parcel(B, 1000 + i, i < 1 ? { held: 2000 + i } : { resolved: 2000 + i }));
    }
    // still in transit: never scored
    records.push({ ...parcel(A, 1500, {}), heldAt: null, resolvedAt: null });

    const e = evaluatePredictor(records, {
      thresholds: [0.5, 0.9],
      from: at(1000),
      tenantThreshold: (t) => (t === 'ten_b' ? 0.9 : 0.5),
    });
    expect([e.scored, e.held, e.baseRate]).toEqual([20, 9, 0.45]);
    for (const s of e.byThreshold) {
      expect(s).toMatchObject({ truePositives: 8, falsePositives: 2, falseNegatives: 1, trueNegatives: 9 });
      expect(s.precision).toBeCloseTo(0.8, 12);
      expect(s.recall).toBeCloseTo(8 / 9, 12);
      expect(s.f1).toBeCloseTo((2 * 0.8 * (8 / 9)) / (0.8 + 8 / 9), 12);
    }
    expect(
      e.byTenant.map((t) => [t.tenantId, t.score.threshold, t.scored, t.held, t.score.truePositives]),
    ).toEqual([
      ['ten_a', 0.5, 10, 1, 0],
      ['ten_b', 0.9, 10, 8, 8],
    ]);
    expect(e.live).toEqual({ emitted: 6, emittedHeld: 5 });

    const text = formatEvaluation(e, { unresolved: 1 });
    expect(text).toMatch(/held for documents: 9; base rate: 0\.450/);
    expect(text).toMatch(/^0\.50\s+10\s+8\s+2\s+1\s+9\s+0\.800\s+0\.889\s+0\.842$/m);
    expect(text).toMatch(/^ten_b\s+0\.90\s+10\s+8\s+8\s+2\s+0\s+0\s+0\.800\s+1\.000\s+0\.889$/m);
    expect(text).toMatch(/Left out, no outcome yet: 1/);
    expect(text).toMatch(
      /Live: 6 HoldPredicted emitted for scored parcels, 5 of them held \(precision 0\.833\)/,
    );
  });

  it('says so when nothing can be scored', () => {
    const e = evaluatePredictor([], options);
    expect(e).toMatchObject({ scored: 0, baseRate: null, brierScore: null });
    expect(formatEvaluation(e, { unresolved: 3 })).toMatch(
      /No parcel with a known outcome to score \(3 still/,
    );
  });
});
