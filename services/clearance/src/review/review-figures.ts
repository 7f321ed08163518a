import type { ReviewFigures } from '@portico/contracts';
/**
 * The monthly review of a property's clearance work, computed (purely) from the platform's own
 * records of the cases opened in that month. Every figure says what it is made of, so a manager can
 * trust it; where the platform can only estimate (steward time), the estimator is spelled out.
 */

/** One case of the month, as the review query returns it. */
export interface ReviewCase {
  readonly state: string;
  readonly holdOccurredAt: Date;
  readonly closedAt: Date | null;
  /** When steward actions happened (acknowledged, contacted, reviewed, reported, handed over). */
  readonly stewardActionTimes: readonly Date[];
  readonly escalations: number;
  readonly ackSlaBreached: boolean;
  /** The case reached documents received at least once. */
  readonly hadDocuments: boolean;
  /** Documents of the case were rejected at least once (by a steward or the carrier). */
  readonly rejectedOnce: boolean;
  readonly documentsSecure: number;
  readonly documentsTotal: number;
}

export type { ReviewFigures } from '@portico/contracts';

/** Actions closer together than this are one sitting at the desk. */
export const SESSION_GAP_MINUTES = 10;
/** What one sitting costs at least (reading the task, one message or one review). */
export const MINUTES_PER_SITTING = 2;

/**
 * Estimated steward minutes for one case: actions are grouped into sittings (gaps under 10 min);
 * each sitting counts its own length plus 2 minutes. The platform sees when a steward acted, not
 * how long they looked at the screen before, so this is a lower-bound estimate, comparable month to
 * month, not a time sheet.
 */
export function stewardMinutes(actions: readonly Date[]): number {
  if (actions.length === 0) return 0;
  const times = actions.map((d) => d.getTime()).sort((a, b) => a - b);
  let total = 0;
  let sittingStart = times[0]!;
  let last = times[0]!;
  for (const t of times.slice(1)) {
    if (t - last > SESSION_GAP_MINUTES * 60_000) {
      total += (last - sittingStart) / 60_000 + MINUTES_PER_SITTING;
      sittingStart = t;
    }
    last = t;
  }
  return total + (last - sittingStart) / 60_000 + MINUTES_PER_SITTING;
}

/** Nearest-rank percentile of an ascending list; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function round(n: number | null, digits: number): number | null {
  return n === null ? null : Number(n.toFixed(digits));
}

export function reviewFigures(cases: readonly ReviewCase[]): ReviewFigures {
  const cleared = cases.filter((c) => c.state === 'cleared' && c.closedAt);
  const hours = cleared
    .map((c) => (c.closedAt!.getTime() - c.holdOccurredAt.getTime()) / 3_600_000)
    .sort((a, b) => a - b);
  const worked = cases.filter((c) => c.stewardActionTimes.length > 0);
  const withDocuments = cases.filter((c) => c.hadDocuments);
  const documents = cases.reduce((n, c) => n + c.documentsTotal, 0);
  return {
    cases: cases.length,
    cleared: cleared.length,
    holdToClearanceHours: { median: round(percentile(hours, 50), 2), p90: round(percentile(hours, 90), 2) },
    stewardMinutesPerCase: round(
      worked.length === 0
        ? null
        : worked.reduce((n, c) => n + stewardMinutes(c.stewardActionTimes), 0) / worked.length,
      1,
    ),
    secureChannelShare: round(
      ratio(
        cases.reduce((n, c) => n + c.documentsSecure, 0),
        documents,
      ),
      3,
    ),
    firstPassAcceptance: round(
      ratio(withDocuments.filter((c) => !c.rejectedOnce).length, withDocuments.length),
      3,
    ),
    escalations: cases.reduce((n, c) => n + c.escalations, 0),
    ackSlaBreaches: cases.filter((c) => c.ackSlaBreached).length,
    missedDeadlines: cases.filter((c) => c.state === 'expired').length,
  };
}
