/**
 * The clearance case lifecycle as a pure transition table. Every state change in the service goes
 * through `transition`, so an illegal move is a typed error at the point it is attempted, never a
 * silently inconsistent row.
 */
export const CASE_STATES = [
  'opened',
  'awaiting_documents',
  'documents_received',
  'under_review',
  'rejected',
  'submitted_to_carrier',
  'cleared',
  'expired',
  'returned_to_sender',
  'cancelled',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export type CaseCommand =
  | 'request_documents'
  | 'receive_documents'
  | 'start_review'
  | 'reject_documents'
  | 'submit_to_carrier'
  | 'clear'
  | 'expire'
  | 'return_to_sender'
  | 'cancel';

const TERMINAL: ReadonlySet<CaseState> = new Set(['cleared', 'expired', 'returned_to_sender', 'cancelled']);

/** Moves that any open case may make: customs can release, the parcel can go back, an operator can cancel. */
const FROM_ANY_OPEN: Partial<Record<CaseCommand, CaseState>> = {
  clear: 'cleared',
  return_to_sender: 'returned_to_sender',
  cancel: 'cancelled',
};

const TABLE: Record<CaseState, Partial<Record<CaseCommand, CaseState>>> = {
  opened: { request_documents: 'awaiting_documents' },
  awaiting_documents: { receive_documents: 'documents_received', expire: 'expired' },
  documents_received: { start_review: 'under_review', expire: 'expired' },
  under_review: {
    reject_documents: 'rejected',
    submit_to_carrier: 'submitted_to_carrier',
    expire: 'expired',
  },
  rejected: { request_documents: 'awaiting_documents', expire: 'expired' },
  // The carrier or broker can still refuse what was relayed: back to the resident for a new upload.
  submitted_to_carrier: { reject_documents: 'rejected', expire: 'expired' },
  cleared: {},
  expired: {},
  returned_to_sender: {},
  cancelled: {},
};

export class IllegalTransitionError extends Error {
  readonly code = 'CLEARANCE_ILLEGAL_TRANSITION';
  constructor(
    readonly from: CaseState,
    readonly command: CaseCommand,
  ) {
    super(`A clearance case in state "${from}" cannot "${command}"`);
    this.name = 'IllegalTransitionError';
  }
}

export function isTerminal(state: CaseState): boolean {
  return TERMINAL.has(state);
}

export function canTransition(from: CaseState, command: CaseCommand): boolean {
  return nextState(from, command) !== undefined;
}

export function transition(from: CaseState, command: CaseCommand): CaseState {
  const to = nextState(from, command);
  if (to === undefined) throw new IllegalTransitionError(from, command);
  return to;
}

function nextState(from: CaseState, command: CaseCommand): CaseState | undefined {
  if (isTerminal(from)) return undefined;
  return TABLE[from][command] ?? FROM_ANY_OPEN[command];
}
