import { isTerminal, transition, type CaseCommand } from './case-state';
import type { CaseTransition, ClearanceCase, TransitionCause } from './case';

export interface CaseStep {
  readonly next: ClearanceCase;
  readonly transition: CaseTransition;
}

/**
 * One command applied to a case: the row after it (state, version + 1, closed when terminal,
 * plus any field `changes`) and its history row. Pure; throws IllegalTransitionError for a move
 * the state machine refuses, before anything is written.
 */
export function step(
  c: ClearanceCase,
  command: CaseCommand,
  cause: TransitionCause,
  causeEventId: string | null,
  at: Date,
  changes: Partial<Omit<ClearanceCase, 'id' | 'state' | 'version' | 'closedAt'>> = {},
): CaseStep {
  const to = transition(c.state, command);
  return {
    next: {
      ...c,
      ...changes,
      state: to,
      updatedAt: at,
      closedAt: isTerminal(to) ? at : null,
      version: c.version + 1,
    },
    transition: { caseId: c.id, from: c.state, to, at, cause, causeEventId },
  };
}

/** Several commands in a row (e.g. reject then request again): one version step per command. */
export function steps(
  c: ClearanceCase,
  moves: ReadonlyArray<{ command: CaseCommand; changes?: Parameters<typeof step>[5] }>,
  cause: TransitionCause,
  causeEventId: string | null,
  at: Date,
): { next: ClearanceCase; transitions: CaseTransition[] } {
  let current = c;
  const transitions: CaseTransition[] = [];
  for (const move of moves) {
    const s = step(current, move.command, cause, causeEventId, at, move.changes);
    current = s.next;
    transitions.push(s.transition);
  }
  return { next: current, transitions };
}
