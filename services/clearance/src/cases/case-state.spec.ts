import { CASE_STATES, IllegalTransitionError, canTransition, isTerminal, transition } from './case-state';

describe('clearance case state machine', () => {
  it('walks the happy path from opened to cleared', () => {
    let s = transition('opened', 'request_documents');
    expect(s).toBe('awaiting_documents');
    s = transition(s, 'receive_documents');
    s = transition(s, 'start_review');
    s = transition(s, 'submit_to_carrier');
    expect(s).toBe('submitted_to_carrier');
    expect(transition(s, 'clear')).toBe('cleared');
  });

  it('loops back to awaiting documents after a rejection', () => {
    expect(transition('under_review', 'reject_documents')).toBe('rejected');
    expect(transition('rejected', 'request_documents')).toBe('awaiting_documents');
    expect(transition('submitted_to_carrier', 'reject_documents')).toBe('rejected');
  });

  it('lets customs release, a return or a cancellation end any open case', () => {
    for (const s of CASE_STATES.filter((x) => !isTerminal(x))) {
      expect(transition(s, 'clear')).toBe('cleared');
      expect(transition(s, 'return_to_sender')).toBe('returned_to_sender');
      expect(transition(s, 'cancel')).toBe('cancelled');
    }
  });

  it('clears a case still waiting for documents when the carrier releases the parcel', () => {
    // Customs may release without Portico's documents (sent another way, or the hold was lifted):
    // the release is the fact, the case follows it.
    expect(transition('awaiting_documents', 'clear')).toBe('cleared');
    expect(transition('opened', 'clear')).toBe('cleared'); // holds that needed no documents
    expect(transition('awaiting_documents', 'return_to_sender')).toBe('returned_to_sender');
  });

  it('refuses every move out of a terminal state with a typed error', () => {
    for (const s of ['cleared', 'expired', 'returned_to_sender', 'cancelled'] as const) {
      expect(isTerminal(s)).toBe(true);
      expect(canTransition(s, 'clear')).toBe(false);
      expect(() => transition(s, 'request_documents')).toThrow(IllegalTransitionError);
    }
  });

  it('refuses skipping steps', () => {
    expect(() => transition('opened', 'submit_to_carrier')).toThrow(/cannot "submit_to_carrier"/);
    expect(() => transition('awaiting_documents', 'start_review')).toThrow(IllegalTransitionError);
    expect(canTransition('opened', 'expire')).toBe(false);
  });
});
