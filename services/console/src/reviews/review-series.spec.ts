import { monthsEnding, seriesByProperty, type MonthlyReview, type ReviewFigures } from './review-series';

const figures = (cases: number): ReviewFigures => ({
  cases,
  cleared: cases,
  holdToClearanceHours: { median: 30, p90: 50 },
  stewardMinutesPerCase: 12,
  secureChannelShare: 1,
  firstPassAcceptance: 0.5,
  escalations: 0,
  ackSlaBreaches: 0,
  missedDeadlines: 0,
});

const review = (month: string, properties: MonthlyReview['properties']): MonthlyReview => ({
  tenantId: 'ten_1',
  month,
  timeZone: 'Asia/Shanghai',
  cohort: 'cases_opened_in_month',
  properties,
});

describe('monthsEnding', () => {
  it('counts back across a year boundary, oldest first', () => {
    expect(monthsEnding('2027-02', 4)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsEnding('2026-12', 1)).toEqual(['2026-12']);
  });
});

describe('seriesByProperty', () => {
  it('gives every property a point per month, null (not zero) where it had no cases', () => {
    const series = seriesByProperty([
      review('2026-10', [{ propertyId: 'prop_b', ...figures(2) }]),
      review('2026-11', [{ propertyId: 'prop_a', ...figures(3) }, { propertyId: 'prop_b', ...figures(4) }]),
    ]);
    expect(series.map((s) => [s.propertyId, s.points.map((p) => p.figures?.cases ?? null)])).toEqual([
      ['prop_a', [null, 3]],
      ['prop_b', [2, 4]],
    ]);
    expect(series[0]!.points[1]!.figures).not.toHaveProperty('propertyId');
  });
});
