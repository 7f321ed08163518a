/**
 * clearance's `GET /v1/reviews/monthly` answer: the HTTP contract between clearance (which computes
 * it, services/clearance/src/review) and its readers (the console's monthly review page). Services
 * never import each other, so the shape lives here, next to the event contracts.
 */
export interface ReviewFigures {
  readonly cases: number;
  readonly cleared: number;
  /** Hold (customs' time) to clearance, cleared cases only. */
  readonly holdToClearanceHours: { readonly median: number | null; readonly p90: number | null };
  /** Estimated minutes a steward spent per case, over cases with any action. */
  readonly stewardMinutesPerCase: number | null;
  /** Documents uploaded through the resident's secure link, of all documents received. */
  readonly secureChannelShare: number | null;
  /** Cases whose first documents went through without a rejection, of cases that got documents. */
  readonly firstPassAcceptance: number | null;
  readonly escalations: number;
  readonly ackSlaBreaches: number;
  /** Cases that expired: the deadline passed before clearance. */
  readonly missedDeadlines: number;
}

export interface PropertyReview extends ReviewFigures {
  /** null for the tenant's cases not resolved to a property yet. */
  readonly propertyId: string | null;
}

export interface MonthlyReview {
  readonly tenantId: string;
  /** YYYY-MM in `timeZone`. */
  readonly month: string;
  readonly timeZone: string;
  /** How cases are counted: those opened in the month (their later clearance included). */
  readonly cohort: 'cases_opened_in_month';
  readonly properties: readonly PropertyReview[];
}
