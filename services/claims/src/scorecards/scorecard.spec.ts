import {
  buildScorecards,
  DAMAGE_REASONS,
  laneFilterOf,
  LOSS_REASONS,
  NO_CLAIMS,
  periodOf,
  rate,
  type ClaimAggregateRow,
  type TrackedRow,
} from './scorecard';

const none = NO_CLAIMS;
const jpCn = { originCountryCode: 'JP', destinationCountryCode: 'CN' };
const cnCn = { originCountryCode: 'CN', destinationCountryCode: 'CN' };

describe('scorecard math', () => {
  it('splits reasons into loss and damage exactly as incidentKindOf does (returns are losses)', () => {
    expect([...LOSS_REASONS].sort()).toEqual(
      ['carrier_lost', 'carrier_returned', 'no_scan', 'not_received', 'past_estimated_delivery'].sort(),
    );
    expect([...DAMAGE_REASONS].sort()).toEqual(['carrier_damaged', 'damaged_on_arrival']);
  });

  it('rate is n / d and has no value without a denominator', () => {
    expect(rate(3, 8)).toBe(0.375);
    expect(rate(0, 5)).toBe(0);
    expect(rate(0, 0)).toBeNull();
  });

  it('computes each rate over its own denominator, per carrier and lane', () => {
    const tracked: TrackedRow[] = [
      { carrierCode: 'sf', ...jpCn, parcels: 400 },
      { carrierCode: 'sf', ...cnCn, parcels: 1_000 },
      { carrierCode: 'ems', originCountryCode: null, destinationCountryCode: 'CN', parcels: 50 },
    ];
    const claims: ClaimAggregateRow[] = [
      {
        carrierCode: 'sf',
        ...jpCn,
        ...none,
        lostParcels: 6,
        lossPendingParcels: 2,
        damagedParcels: 3,
        damagePendingParcels: 1,
        approved: 5,
        partiallyApproved: 2,
        rejected: 1,
        resolvedClaims: 9,
        resolveMedianSeconds: 432_000,
        resolveP90Seconds: 1_036_800,
      },
    ];
    const cards = buildScorecards(tracked, claims);
    expect(cards.map((c) => [c.carrierCode, c.lane])).toEqual([
      ['ems', '??-CN'],
      ['sf', 'CN-CN'],
      ['sf', 'JP-CN'],
    ]);
    const sfJp = cards[2]!;
    expect(sfJp).toEqual({
      carrierCode: 'sf',
      lane: 'JP-CN',
      international: true,
      parcelsTracked: 400,
      // 6 / 400, 3 / 400; pending claims stay out of the rate
      loss: { parcels: 6, pending: 2, rate: 0.015 },
      damage: { parcels: 3, pending: 1, rate: 0.0075 },
      // decided = 5 + 2 + 1 = 8
      carrierDecisions: {
        decided: 8,
        approved: 5,
        partiallyApproved: 2,
        rejected: 1,
        approvalRate: 0.625,
        partialApprovalRate: 0.25,
        rejectionRate: 0.125,
      },
      timeToResolve: { claims: 9, medianSeconds: 432_000, p90Seconds: 1_036_800 },
    });
    // a lane without claims: rates 0 over its parcels, no approval rate (nothing decided)
    expect(cards[1]).toMatchObject({
      lane: 'CN-CN',
      international: false,
      parcelsTracked: 1_000,
      loss: { parcels: 0, pending: 0, rate: 0 },
      damage: { rate: 0 },
      carrierDecisions: { decided: 0, approvalRate: null, partialApprovalRate: null, rejectionRate: null },
      timeToResolve: { claims: 0, medianSeconds: null, p90Seconds: null },
    });
    // unknown origin counts as domestic (isInternational), shown as ??
    expect(cards[0]).toMatchObject({ lane: '??-CN', international: false, parcelsTracked: 50 });
  });

  it('keeps a claim row that has no tracked row, with no rates, instead of dropping it', () => {
    const cards = buildScorecards([], [{ carrierCode: 'yto', ...cnCn, ...none, lostParcels: 1 }]);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ parcelsTracked: 0, loss: { parcels: 1, rate: null } });
  });

  it('defaults the period to the 30 days before now and refuses an empty, reversed or too long one', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(periodOf({}, now)).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: now });
    const to = new Date('2026-06-30T00:00:00Z');
    expect(periodOf({ to }, now)).toEqual({ from: new Date('2026-05-31T00:00:00Z'), to });
    const code = (f: () => unknown) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(() => periodOf({ from: now, to: now }, now))).toBe('invalid_scorecard_period');
    expect(code(() => periodOf({ from: new Date('2027-01-01T00:00:00Z') }, now))).toBe(
      'invalid_scorecard_period',
    );
    expect(code(() => periodOf({ from: new Date('2025-01-01T00:00:00Z'), to: now }, now))).toBe(
      'invalid_scorecard_period',
    );
    // exactly 366 days is allowed
    expect(periodOf({ from: new Date('2025-11-30T00:00:00Z'), to: now }, now).from).toEqual(
      new Date('2025-11-30T00:00:00Z'),
    );
  });

  it('reads a lane filter, ?? meaning the carrier gave no country', () => {
    expect(laneFilterOf('JP-CN')).toEqual(jpCn);
    expect(laneFilterOf('??-CN')).toEqual({ originCountryCode: null, destinationCountryCode: 'CN' });
    expect(() => laneFilterOf('japan-china')).toThrow();
  });
});
