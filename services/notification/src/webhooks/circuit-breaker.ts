/**
 * The per-subscription circuit breaker and the auto-disable rule, as pure functions over the
 * subscription's breaker columns.
 *
 * - closed: deliveries flow. `failureThreshold` consecutive failed attempts open it.
 * - open: no delivery of the subscription is claimed until `openUntil` (deliveries wait; nothing is
 *   dropped and no retry is used up while it is open).
 * - half_open: after the cool-down exactly one delivery (the probe) is claimed. Its success closes
 *   the circuit; its failure opens it for another cool-down.
 *
 * Auto-disable: when every attempt of a subscription has failed for `autoDisableAfterMs` (default 5
 * days: longer than a delivery's whole retry schedule, so one bad weekend does not do it), the
 * subscription is disabled and a notice is written. Its pending deliveries stay; re-enabling resumes
 * them.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerState {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  readonly openUntil: Date | null;
  /** The first failed attempt since the last success; null while the last attempt succeeded. */
  readonly failingSince: Date | null;
}

export interface BreakerPolicy {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  readonly autoDisableAfterMs: number;
}

export const CLOSED: BreakerState = {
  state: 'closed',
  consecutiveFailures: 0,
  openUntil: null,
  failingSince: null,
};

export interface BreakerOutcome {
  readonly next: BreakerState;
  /** Set when the circuit changed state. */
  readonly transition?: CircuitState;
  /** Every attempt failed for the auto-disable window: disable the subscription. */
  readonly disable: boolean;
}

/** The breaker after one attempt of the subscription finished. */
export function afterAttempt(
  current: BreakerState,
  succeeded: boolean,
  at: Date,
  policy: BreakerPolicy,
): BreakerOutcome {
  if (succeeded) {
    return { next: CLOSED, transition: current.state === 'closed' ? undefined : 'closed', disable: false };
  }
  const consecutiveFailures = current.consecutiveFailures + 1;
  const failingSince = current.failingSince ?? at;
  const disable = at.getTime() - failingSince.getTime() >= policy.autoDisableAfterMs;
  const opens = current.state === 'half_open' || consecutiveFailures >= policy.failureThreshold;
  if (!opens) {
    return { next: { ...current, consecutiveFailures, failingSince }, disable };
  }
  return {
    next: {
      state: 'open',
      consecutiveFailures,
      openUntil: new Date(at.getTime() + policy.coolDownMs),
      failingSince,
    },
    transition: current.state === 'open' ? undefined : 'open',
    disable,
  };
}

/**
 * Whether successful attempts leave this breaker exactly as it is (closed, nothing failing): then the
 * worker neither locks nor writes the subscription row for them.
 */
export function unchangedBySuccess(current: BreakerState): boolean {
  return current.state === 'closed' && current.consecutiveFailures === 0 && current.failingSince === null;
}
