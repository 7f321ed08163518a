import type { Claim, ClaimTransition, TransitionCause } from './claim';
import { isTerminal, transition, type ClaimCommand } from './claim-state';

export interface ClaimStep {
  readonly next: Claim;
  readonly transitions: ClaimTransition[];
}

export interface StepCause {
  readonly cause: TransitionCause;
  readonly actorId: string | null;
  readonly causeEventId: string | null;
  readonly at: Date;
}

/**
 * Commands applied to a claim in a row: the row after them (state, version + 1 per command,
 * closed when terminal, plus field `changes`) and one history row each. Pure; throws
 * IllegalTransitionError before anything is written.
 */
export function steps(
  c: Claim,
  moves: ReadonlyArray<{ command: ClaimCommand; changes?: Partial<Claim> }>,
  cause: StepCause,
): ClaimStep {
  let current = c;
  const transitions: ClaimTransition[] = [];
  for (const move of moves) {
    const to = transition(current.state, move.command);
    transitions.push({
      claimId: c.id,
      from: current.state,
      to,
      at: cause.at,
      cause: cause.cause,
      actorId: cause.actorId,
      causeEventId: cause.causeEventId,
    });
    current = {
      ...current,
      ...move.changes,
      state: to,
      updatedAt: cause.at,
      closedAt: isTerminal(to) ? cause.at : null,
      version: current.version + 1,
    };
  }
  return { next: current, transitions };
}

/** A change of fields without a state change (a service level met): version + 1, no history row. */
export function touch(c: Claim, changes: Partial<Claim>, at: Date): Claim {
  return { ...c, ...changes, updatedAt: at, version: c.version + 1 };
}
