/**
 * The per-property month series the console's charts draw from clearance's monthly review answers
 * (the shape is the contract in @portico/contracts). Pure.
 */
import type { MonthlyReview, ReviewFigures } from '@portico/contracts';

export type { MonthlyReview, ReviewFigures } from '@portico/contracts';

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
