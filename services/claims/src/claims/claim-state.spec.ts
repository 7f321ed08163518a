import {
  allowedCommands,
  canTransition,
  CLAIM_COMMANDS,
  CLAIM_STATES,
  IllegalTransitionError,
  transition,
  type ClaimCommand,
  type ClaimState,
} from './claim-state';

// The whole table written out once more, independently of the implementation's structure: every
// (state, command) pair not listed here must be refused.
const LEGAL: ReadonlyArray<[ClaimState, ClaimCommand, ClaimState]> = [
  ['detected', 'verify', 'verifying'],
  ['detected', 'inquire', 'carrier_inquiry'],
  ['detected', 'await_decision', 'awaiting_customer_decision'],
  ['verifying', 'inquire', 'carrier_inquiry'],
  ['verifying', 'await_decision', 'awaiting_customer_decision'],
  ['carrier_inquiry', 'await_decision', 'awaiting_customer_decision'],
  ['awaiting_customer_decision', 'file', 'filed'],
  ['awaiting_customer_decision', 'settle', 'closed'],
  ['filed', 'start_review', 'in_review'],
  ['filed', 'resolve', 'resolved'],
  ['in_review', 'resolve', 'resolved'],
  ['resolved', 'archive', 'closed'],
  ...(
    ['detected', 'verifying', 'carrier_inquiry', 'awaiting_customer_decision', 'filed', 'in_review'] as const
  ).flatMap((s) =>
    (['found', 'withdraw', 'cancel'] as const).map((c): [ClaimState, ClaimCommand, ClaimState] => [
      s,
      c,
      'closed',
    ]),
  ),
];

describe('claim state machine', () => {
  const legal = new Map(LEGAL.map(([from, command, to]) => [`${from}/${command}`, to]));
  const pairs = CLAIM_STATES.flatMap((from) => CLAIM_COMMANDS.map((command) => [from, command] as const));

  it.each(pairs)('%s + %s is legal exactly when the table says so', (from, command) => {
    const expected = legal.get(`${from}/${command}`);
    if (expected) {
      expect(transition(from, command)).toBe(expected);
      expect(canTransition(from, command)).toBe(true);
    } else {
      expect(canTransition(from, command)).toBe(false);
      expect(() => transition(from, command)).toThrow(IllegalTransitionError);
    }
  });

  it('closes with found-the-parcel from every open state before the carrier decided', () => {
    for (const s of CLAIM_STATES.filter((s) => !['resolved', 'closed'].includes(s))) {
      expect(transition(s, 'found')).toBe('closed');
    }
  });

  it('refuses everything once closed, and names state and command in the error', () => {
    expect(allowedCommands('closed')).toEqual([]);
    try {
      transition('closed', 'found');
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(IllegalTransitionError);
      expect((e as IllegalTransitionError).code).toBe('CLAIMS_ILLEGAL_TRANSITION');
      expect((e as Error).message).toBe('A claim in state "closed" cannot "found"');
    }
  });

  it('lists the allowed commands of a state', () => {
    expect(allowedCommands('resolved')).toEqual(['archive']);
    expect(allowedCommands('awaiting_customer_decision')).toEqual([
      'file',
      'settle',
      'found',
      'withdraw',
      'cancel',
    ]);
  });
});
