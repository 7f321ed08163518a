/**
 * clearance's `GET /v1/reviews/monthly` answer (services/clearance/src/review/review.service.ts,
 * review-figures.ts), and the per-property month series the console's charts draw. Pure.
 */
export interface ReviewFigures {
  readonly cases: number;
  readonly cleared: number;
  readonly holdToClearanceHours: { readonly median: number | null; readonly p90: number | null };
  readonly stewardMinutesPerCase: number | null;
  readonly secureChannelShare: number | null;
  readonly firstPassAcceptance: number | null;
  readonly escalations: number;
  readonly ackSlaBreaches: number;
  readonly missedDeadlines: number;
}

export interface MonthlyReview {
  readonly tenantId: string;
  readonly month: string;
  readonly timeZone: string;
  readonly cohort: string;
  readonly properties: ReadonlyArray<ReviewFigures & { readonly propertyId: string | null }>;
}

export interface PropertySeries {
  readonly propertyId: string | null;
  /** One point per month, oldest first; null where the property had no cases that month. */
  readonly points: ReadonlyArray<{ readonly month: string; readonly figures: ReviewFigures | null }>;
}

/** The `count` months ending with `month` (YYYY-MM), oldest first. */
export function monthsEnding(month: string, count: number): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

/** Each property that appears in any month, with a point for every month (a gap is null, not zero). */
export function seriesByProperty(reviews: readonly MonthlyReview[]): PropertySeries[] {
  const months = reviews.map((r) => r.month);
  const ids = [...new Set(reviews.flatMap((r) => r.properties.map((p) => p.propertyId)))].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  return ids.map((propertyId) => ({
    propertyId,
    points: months.map((month, i) => {
      const found = reviews[i]!.properties.find((p) => p.propertyId === propertyId);
      if (!found) return { month, figures: null };
      const { propertyId: _omit, ...figures } = found;
      return { month, figures };
    }),
  }));
}
