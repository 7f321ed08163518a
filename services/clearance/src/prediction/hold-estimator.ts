import { BACKOFF_LEVELS, type BackoffLevel } from './hold-features';

/**
 * Probability that a parcel will be held for ID documents, from the platform's own history.
 *
 * Hierarchical back-off with Beta priors: start from a fixed prior rate, then at each level
 * (all parcels → same destination → same lane (destination + origin) → same carrier on the lane →
 * same declared-value band) take the Beta posterior mean with the level above as prior mean and a
 * fixed pseudo-count k:
 *
 *   p(level) = (held(level) + k · p(parent)) / (resolved(level) + k)
 *
 * A level with little history stays close to its parent (thin lanes fall back to the destination,
 * an empty history to the prior); a level with n ≫ k is its own observed rate. Deterministic and
 * cheap (five cells), so it can run in the consumer's transaction.
 */

export interface EstimatorParameters {
  /** Pseudo-count: how many parcels of a level's own history weigh as much as its parent's rate. */
  readonly pseudoCount: number;
  /** Rate assumed before any history at all. */
  readonly priorRate: number;
}

export const DEFAULT_ESTIMATOR: EstimatorParameters = { pseudoCount: 20, priorRate: 0.1 };

/** The predictor's identity as stored with each prediction and sent in HoldPredicted. */
export function modelVersionOf(p: EstimatorParameters): string {
  return `beta-backoff/k=${p.pseudoCount}/p0=${p.priorRate}/v1`;
}

/** Parcels whose outcome is known (held for documents, or released/returned without that), and how many were held. */
export interface HoldCounts {
  readonly resolved: number;
  readonly held: number;
}

export type LevelCounts = Readonly<Record<BackoffLevel, HoldCounts>>;

export interface HoldEstimate {
  readonly probability: number;
  readonly modelVersion: string;
  /** The estimate after each level, coarsest first (explains a prediction; not sent anywhere). */
  readonly byLevel: Readonly<Record<BackoffLevel, number>>;
}

export function estimateHoldProbability(
  counts: LevelCounts,
  params: EstimatorParameters = DEFAULT_ESTIMATOR,
): HoldEstimate {
  const k = params.pseudoCount;
  let p = params.priorRate;
  const byLevel = {} as Record<BackoffLevel, number>;
  for (const level of BACKOFF_LEVELS) {
    const { resolved, held } = sane(counts[level]);
    p = (held + k * p) / (resolved + k);
    byLevel[level] = p;
  }
  return { probability: p, modelVersion: modelVersionOf(params), byLevel };
}

export const NO_HISTORY: HoldCounts = { resolved: 0, held: 0 };

export function emptyLevelCounts(): Record<BackoffLevel, HoldCounts> {
  return {
    all: NO_HISTORY,
    destination: NO_HISTORY,
    lane: NO_HISTORY,
    carrier: NO_HISTORY,
    cell: NO_HISTORY,
  };
}

// Counts come from a database; a negative or inconsistent row must not give p outside [0, 1].
function sane(c: HoldCounts): HoldCounts {
  const resolved = Math.max(0, c.resolved);
  return { resolved, held: Math.min(resolved, Math.max(0, c.held)) };
}
