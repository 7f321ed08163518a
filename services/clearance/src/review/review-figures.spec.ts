import { percentile, reviewFigures, stewardMinutes, type ReviewCase } from './review-figures';

const T = new Date('2026-11-03T02:00:00Z');
const min = (m: number) => new Date(T.getTime() + m * 60_000);
const hours = (h: number) => new Date(T.getTime() + h * 3_600_000);

function aCase(overrides: Partial<ReviewCase>): ReviewCase {
  return {
    state: 'cleared',
    holdOccurredAt: T,
    closedAt: hours(10),
    stewardActionTimes: [],
    escalations: 0,
    ackSlaBreached: false,
    hadDocuments: true,
    rejectedOnce: false,
    documentsSecure: 1,
    documentsTotal: 1,
    ...overrides,
  };
}

describe('stewardMinutes', () => {
  it('counts each sitting as its length plus two minutes, splitting at gaps over ten minutes', () => {
    expect(stewardMinutes([])).toBe(0);
    expect(stewardMinutes([min(0)])).toBe(2);
    // 0, 3, 7 is one sitting of 7 min; 60 is another
    expect(stewardMinutes([min(60), min(3), min(0), min(7)])).toBe(7 + 2 + 2);
  });
});

describe('percentile', () => {
  it('is nearest-rank, and null without data', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});

describe('reviewFigures', () => {
  it("computes every figure from the month's cases", () => {
    const figures = reviewFigures([
      aCase({ closedAt: hours(10), stewardActionTimes: [min(5), min(8)] }),
      aCase({
        closedAt: hours(30),
        rejectedOnce: true,
        documentsSecure: 1,
        documentsTotal: 2,
        escalations: 2,
        ackSlaBreached: true,
      }),
      aCase({
        state: 'expired',
        closedAt: hours(72),
        documentsSecure: 0,
        documentsTotal: 0,
        hadDocuments: false,
      }),
      aCase({
        state: 'awaiting_documents',
        closedAt: null,
        hadDocuments: false,
        documentsSecure: 0,
        documentsTotal: 0,
        stewardActionTimes: [min(0)],
      }),
    ]);
    expect(figures).toEqual({
      cases: 4,
      cleared: 2,
      holdToClearanceHours: { median: 10, p90: 30 },
      stewardMinutesPerCase: 3.5, // (3 + 2) and 2, over the two cases a steward touched
      secureChannelShare: 0.667, // 2 of 3 documents
      firstPassAcceptance: 0.5, // 1 of the 2 cases that got documents
      escalations: 2,
      ackSlaBreaches: 1,
      missedDeadlines: 1,
    });
  });

  it('says "no data" rather than zero when nothing could be measured', () => {
    expect(reviewFigures([])).toMatchObject({
      cases: 0,
      holdToClearanceHours: { median: null, p90: null },
      stewardMinutesPerCase: null,
      secureChannelShare: null,
      firstPassAcceptance: null,
    });
  });
});
