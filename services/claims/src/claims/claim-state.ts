/**
 * The claim lifecycle as a pure transition table (proto ClaimState). Every state change in the
 * service goes through `transition`, so an illegal move is a typed error where it is attempted,
 * before anything is written.
 *
 *   detected -> verifying -> carrier_inquiry -> awaiting_customer_decision -> filed -> in_review
 *            -> resolved -> closed
 *
 * with shortcuts that happen in practice: an inquiry straight from detection (the carrier already
 * reported the parcel lost), a decision without an inquiry (damaged on arrival: the carrier has
 * nothing to find), a filing resolved without a separate review step, and settling without
 * filing. Found-the-parcel, withdrawal and cancellation close a claim from any open state.
 */
export const CLAIM_STATES = [
  'detected',
  'verifying',
  'carrier_inquiry',
  'awaiting_customer_decision',
  'filed',
  'in_review',
  'resolved',
  'closed',
] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

export const CLAIM_COMMANDS = [
  'verify',
  'inquire',
  'await_decision',
  'file',
  'start_review',
  'resolve',
  'archive',
  'settle',
  'found',
  'withdraw',
  'cancel',
] as const;
export type ClaimCommand = (typeof CLAIM_COMMANDS)[number];

/** Moves any open claim may make: the parcel turns up, the customer withdraws, an operator cancels. */
const FROM_ANY_OPEN: Partial<Record<ClaimCommand, ClaimState>> = {
  found: 'closed',
  withdraw: 'closed',
  cancel: 'closed',
};

const TABLE: Record<ClaimState, Partial<Record<ClaimCommand, ClaimState>>> = {
  detected: { verify: 'verifying', inquire: 'carrier_inquiry', await_decision: 'awaiting_customer_decision' },
  verifying: { inquire: 'carrier_inquiry', await_decision: 'awaiting_customer_decision' },
  carrier_inquiry: { await_decision: 'awaiting_customer_decision' },
  awaiting_customer_decision: { file: 'filed', settle: 'closed' },
  filed: { start_review: 'in_review', resolve: 'resolved' },
  in_review: { resolve: 'resolved' },
  // A decided claim is archived; it can no longer be "found" or withdrawn (the carrier decided).
  resolved: { archive: 'closed' },
  closed: {},
};

export class IllegalTransitionError extends Error {
  readonly code = 'CLAIMS_ILLEGAL_TRANSITION';
  constructor(
    readonly from: ClaimState,
    readonly command: ClaimCommand,
  ) {
    super(`A claim in state "${from}" cannot "${command}"`);
    this.name = 'IllegalTransitionError';
  }
}

export function isTerminal(state: ClaimState): boolean {
  return state === 'closed';
}

export function canTransition(from: ClaimState, command: ClaimCommand): boolean {
  return nextState(from, command) !== undefined;
}

export function transition(from: ClaimState, command: ClaimCommand): ClaimState {
  const to = nextState(from, command);
  if (to === undefined) throw new IllegalTransitionError(from, command);
  return to;
}

function nextState(from: ClaimState, command: ClaimCommand): ClaimState | undefined {
  if (isTerminal(from)) return undefined;
  const own = TABLE[from][command];
  if (own !== undefined) return own;
  // resolved claims are past "found" and "withdrawn": only archiving ends them
  if (from === 'resolved') return undefined;
  return FROM_ANY_OPEN[command];
}

/** The commands a claim in `state` accepts (for the API's `allowedActions`). */
export function allowedCommands(state: ClaimState): ClaimCommand[] {
  return CLAIM_COMMANDS.filter((c) => canTransition(state, c));
}
