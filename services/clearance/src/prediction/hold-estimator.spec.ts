import {
  DEFAULT_ESTIMATOR,
  emptyLevelCounts,
  estimateHoldProbability,
  modelVersionOf,
  type HoldCounts,
  type LevelCounts,
} from './hold-estimator';

const counts = (
  partial: Partial<Record<keyof LevelCounts, [resolved: number, held: number]>>,
): LevelCounts => {
  const c = emptyLevelCounts();
  for (const [level, [resolved, held]] of Object.entries(partial) as Array<
    [keyof LevelCounts, [number, number]]
  >) {
    c[level] = { resolved, held } satisfies HoldCounts;
  }
  return c;
};

/** The same cell history at every level, as when all history is in one cell. */
const everywhere = (resolved: number, held: number) =>
  counts({
    all: [resolved, held],
    destination: [resolved, held],
    lane: [resolved, held],
    carrier: [resolved, held],
    cell: [resolved, held],
  });

describe('estimateHoldProbability', () => {
  it('is the prior without any history', () => {
    const e = estimateHoldProbability(emptyLevelCounts());
    expect(e.probability).toBe(DEFAULT_ESTIMATOR.priorRate);
    expect(Object.values(e.byLevel)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
  });

  it('follows the Beta back-off formula level by level (hand-computed)', () => {
    // k = 20, p0 = 0.1; 30 parcels, 27 held, all in one cell:
    // all 29/50 = 0.58; destination (27+11.6)/50 = 0.772; lane (27+15.44)/50 = 0.8488;
    // carrier (27+16.976)/50 = 0.87952; cell (27+17.5904)/50 = 0.891808
    const e = estimateHoldProbability(everywhere(30, 27));
    expect(e.byLevel.all).toBeCloseTo(0.58, 12);
    expect(e.byLevel.destination).toBeCloseTo(0.772, 12);
    expect(e.byLevel.lane).toBeCloseTo(0.8488, 12);
    expect(e.byLevel.carrier).toBeCloseTo(0.87952, 12);
    expect(e.probability).toBeCloseTo(0.891808, 12);
    expect(e.modelVersion).toBe('beta-backoff/k=20/p0=0.1/v1');
  });

  it('falls back to the coarser levels when the cell itself has thin history', () => {
    // A busy destination where 10 % are held, and a new lane with one parcel, held.
    const e = estimateHoldProbability(
      counts({
        all: [10_000, 1_000],
        destination: [10_000, 1_000],
        lane: [1, 1],
        carrier: [1, 1],
        cell: [1, 1],
      }),
    );
    expect(e.byLevel.destination).toBeCloseTo(0.1, 3);
    // one held parcel moves each thin level only by 1/(1+k) of the way towards 1
    expect(e.probability).toBeGreaterThan(0.1);
    expect(e.probability).toBeLessThan(0.25);
  });

  it('trusts strong history over its parents', () => {
    const e = estimateHoldProbability(
      counts({
        all: [100_000, 5_000],
        destination: [50_000, 2_500],
        lane: [5_000, 4_500],
        carrier: [4_000, 3_900],
        cell: [2_000, 1_990],
      }),
    );
    expect(e.probability).toBeCloseTo(1_990 / 2_000, 2);
  });

  it('rises with every additional held parcel and with the parent rate (monotonic)', () => {
    let last = -1;
    for (let held = 0; held <= 50; held++) {
      const p = estimateHoldProbability(everywhere(50, held)).probability;
      expect(p).toBeGreaterThan(last);
      last = p;
    }
    const lowParent = estimateHoldProbability(counts({ all: [100, 10], cell: [5, 2] })).probability;
    const highParent = estimateHoldProbability(counts({ all: [100, 90], cell: [5, 2] })).probability;
    expect(highParent).toBeGreaterThan(lowParent);
  });

  it('stays within [0, 1], even with counts that make no sense', () => {
    for (const c of [
      everywhere(1_000_000, 0),
      everywhere(1_000_000, 1_000_000),
      everywhere(3, 7),
      everywhere(-5, -1),
    ]) {
      const p = estimateHoldProbability(c).probability;
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    // held > resolved is read as "all held", negative counts as none
    expect(estimateHoldProbability(everywhere(3, 7))).toEqual(estimateHoldProbability(everywhere(3, 3)));
    expect(estimateHoldProbability(everywhere(-5, -1)).probability).toBe(0.1);
  });

  it('is deterministic and names its parameters in the model version', () => {
    const c = everywhere(12, 5);
    expect(estimateHoldProbability(c)).toEqual(estimateHoldProbability(c));
    const strong = { pseudoCount: 5, priorRate: 0.2 };
    expect(modelVersionOf(strong)).toBe('beta-backoff/k=5/p0=0.2/v1');
    // a smaller k trusts the cell more: 5 of 12 held is 0.417
    expect(Math.abs(estimateHoldProbability(c, strong).probability - 5 / 12)).toBeLessThan(
      Math.abs(estimateHoldProbability(c).probability - 5 / 12),
    );
  });
});
