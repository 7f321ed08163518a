import {
  DEFAULT_ESTIMATOR,
  emptyLevelCounts,
  estimateHoldProbability,
  modelVersionOf,
  type EstimatorParameters,
} from './hold-estimator';
import { BACKOFF_LEVELS, cellKeyId, cellKeysOf, type HoldFeatures } from './hold-features';

/**
 * How good the predictor is on stored history, evaluated in time order: every parcel is estimated
 * from the outcomes known strictly before it was first seen (a parcel's resolution counts from its
 * resolved_at, its document hold from its held_at), exactly as the live counts would have stood.
 * No parcel's own outcome, nor any later one, leaks into its estimate; no separate train/test split
 * is needed, and `from`/`to` only narrow which parcels are scored (history before `from` still
 * trains). Only parcels with a known outcome are scored: an open parcel has no label yet.
 */

export interface HistoryRecord {
  readonly tenantId: string;
  readonly features: HoldFeatures;
  readonly firstSeenAt: Date;
  readonly heldAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly predictionEmitted: boolean;
}

export interface EvaluationOptions {
  readonly thresholds: readonly number[];
  /** Score parcels first seen at or after this time (earlier ones still train). */
  readonly from?: Date;
  /** Score parcels first seen before this time. */
  readonly to?: Date;
  readonly params?: EstimatorParameters;
  /** The threshold each tenant's parcels are emitted at (its setting or the default). */
  readonly tenantThreshold: (tenantId: string) => number;
}

export interface Score {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** null when nothing was predicted (precision) or nothing was held (recall). */
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

export interface Evaluation {
  readonly modelVersion: string;
  readonly scored: number;
  readonly held: number;
  /** held / scored; null when nothing was scored. */
  readonly baseRate: number | null;
  /** Mean squared error of the probabilities (0 perfect, 0.25 = always 0.5). */
  readonly brierScore: number | null;
  readonly firstSeenRange: { readonly from: Date; readonly to: Date } | null;
  readonly byThreshold: readonly Score[];
  readonly byTenant: ReadonlyArray<{
    readonly tenantId: string;
    readonly scored: number;
    readonly held: number;
    readonly score: Score;
  }>;
  /** Scored parcels that got a HoldPredicted live, and how many of those were then held. */
  readonly live: { readonly emitted: number; readonly emittedHeld: number };
}

interface Scored {
  readonly tenantId: string;
  readonly probability: number;
  readonly held: boolean;
  readonly emitted: boolean;
}

export function evaluatePredictor(records: readonly HistoryRecord[], options: EvaluationOptions): Evaluation {
  const params = options.params ?? DEFAULT_ESTIMATOR;
  const outcomes = outcomeTimeline(records);
  const toScore = records
    .filter((r) => r.resolvedAt !== null || r.heldAt !== null)
    .filter(
      (r) => (!options.from || r.firstSeenAt >= options.from) && (!options.to || r.firstSeenAt < options.to),
    )
    .sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime());

  const counts = new Map<string, { resolved: number; held: number }>();
  let next = 0;
  const scored: Scored[] = [];
  for (const r of toScore) {
    // Strictly before: an outcome at the same instant as this sighting was not known yet.
    while (next < outcomes.length && outcomes[next]!.at < r.firstSeenAt.getTime()) {
      const o = outcomes[next++]!;
      for (const id of o.cells) {
        const c = counts.get(id) ?? { resolved: 0, held: 0 };
        counts.set(id, { resolved: c.resolved + o.resolved, held: c.held + o.held });
      }
    }
    const level = emptyLevelCounts();
    cellKeysOf(r.features).forEach((key, i) => {
      level[BACKOFF_LEVELS[i]!] = counts.get(cellKeyId(key)) ?? level[BACKOFF_LEVELS[i]!];
    });
    scored.push({
      tenantId: r.tenantId,
      probability: estimateHoldProbability(level, params).probability,
      held: r.heldAt !== null,
      emitted: r.predictionEmitted,
    });
  }

  const held = scored.filter((s) => s.held).length;
  const tenants = [...new Set(scored.map((s) => s.tenantId))].sort();
  return {
    modelVersion: modelVersionOf(params),
    scored: scored.length,
    held,
    baseRate: scored.length ? held / scored.length : null,
    brierScore: scored.length
      ? scored.reduce((sum, s) => sum + (s.probability - (s.held ? 1 : 0)) ** 2, 0) / scored.length
      : null,
    firstSeenRange: toScore.length
      ? { from: toScore[0]!.firstSeenAt, to: toScore[toScore.length - 1]!.firstSeenAt }
      : null,
    byThreshold: options.thresholds.map((t) => scoreAt(scored, t)),
    byTenant: tenants.map((tenantId) => {
      const own = scored.filter((s) => s.tenantId === tenantId);
      return {
        tenantId,
        scored: own.length,
        held: own.filter((s) => s.held).length,
        score: scoreAt(own, options.tenantThreshold(tenantId)),
      };
    }),
    live: {
      emitted: scored.filter((s) => s.emitted).length,
      emittedHeld: scored.filter((s) => s.emitted && s.held).length,
    },
  };
}

/** At or above the threshold counts as predicted, as in the live decision (`shouldEmit`). */
export function scoreAt(
  scored: ReadonlyArray<{ probability: number; held: boolean }>,
  threshold: number,
): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const s of scored) {
    const predicted = s.probability >= threshold;
    if (predicted && s.held) tp++;
    else if (predicted) fp++;
    else if (s.held) fn++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : null;
  const recall = tp + fn > 0 ? tp / (tp + fn) : null;
  const f1 =
    precision !== null && recall !== null && precision + recall > 0
      ? (2 * precision * recall) / (precision + recall)
      : null;
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision,
    recall,
    f1,
  };
}

interface OutcomeEvent {
  readonly at: number;
  readonly cells: readonly string[];
  readonly resolved: number;
  readonly held: number;
}

/** When each parcel's outcome entered the counts, oldest first (as the consumer moves them). */
function outcomeTimeline(records: readonly HistoryRecord[]): OutcomeEvent[] {
  const events: OutcomeEvent[] = [];
  for (const r of records) {
    const cells = cellKeysOf(r.features).map(cellKeyId);
    // held_at implies resolved_at in the table; a row written otherwise still counts its hold once.
    const resolvedAt = r.resolvedAt ?? r.heldAt;
    if (resolvedAt) events.push({ at: resolvedAt.getTime(), cells, resolved: 1, held: 0 });
    if (r.heldAt) events.push({ at: r.heldAt.getTime(), cells, resolved: 0, held: 1 });
  }
  return events.sort((a, b) => a.at - b.at);
}

const ratio = (x: number | null) => (x === null ? '-' : x.toFixed(3));

/** The report as printed by `npm run clearance:predictor-report`. */
export function formatEvaluation(e: Evaluation, extra: { unresolved: number }): string {
  const lines: string[] = [];
  lines.push(`Hold predictor report (${e.modelVersion})`);
  lines.push(
    'Time-ordered: each parcel is estimated from outcomes known strictly before its first sighting.',
  );
  if (e.scored === 0) {
    lines.push(`No parcel with a known outcome to score (${extra.unresolved} still without an outcome).`);
    return `${lines.join('\n')}\n`;
  }
  const range = e.firstSeenRange!;
  lines.push(
    `Scored parcels: ${e.scored} (first seen ${range.from.toISOString()} .. ${range.to.toISOString()}); ` +
      `held for documents: ${e.held}; base rate: ${ratio(e.baseRate)}; Brier score: ${ratio(e.brierScore)}`,
  );
  lines.push(`Left out, no outcome yet: ${extra.unresolved}`);
  lines.push('');
  lines.push(
    table(
      ['threshold', 'predicted', 'TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'F1'],
      e.byThreshold.map((s) => [
        s.threshold.toFixed(2),
        String(s.truePositives + s.falsePositives),
        ...confusion(s),
        ratio(s.precision),
        ratio(s.recall),
        ratio(s.f1),
      ]),
    ),
  );
  lines.push('');
  lines.push('Per tenant, at its own threshold:');
  lines.push(
    table(
      ['tenant', 'threshold', 'scored', 'held', 'TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'F1'],
      e.byTenant.map((t) => [
        t.tenantId,
        t.score.threshold.toFixed(2),
        String(t.scored),
        String(t.held),
        ...confusion(t.score),
        ratio(t.score.precision),
        ratio(t.score.recall),
        ratio(t.score.f1),
      ]),
    ),
  );
  lines.push('');
  lines.push(
    `Live: ${e.live.emitted} HoldPredicted emitted for scored parcels, ${e.live.emittedHeld} of them held ` +
      `(precision ${ratio(e.live.emitted ? e.live.emittedHeld / e.live.emitted : null)})`,
  );
  return `${lines.join('\n')}\n`;
}

function confusion(s: Score): string[] {
  return [s.truePositives, s.falsePositives, s.falseNegatives, s.trueNegatives].map(String);
}

/** Columns right-aligned except the first, padded to the widest cell. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
