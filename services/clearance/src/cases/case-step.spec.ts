import { aCase, FIXTURE_TIME } from '../test-support/a-case';
import { IllegalTransitionError } from './case-state';
import { step, steps } from './case-step';

const later = new Date(FIXTURE_TIME.getTime() + 60_000);

describe('case steps', () => {
  it('moves state and version, keeps the history row, and closes on a terminal state', () => {
    const c = aCase('cc_1', 'ten_a');
    const s = step(c, 'expire', 'deadline_passed', null, later);
    expect(s.next).toMatchObject({ state: 'expired', version: 2, closedAt: later, updatedAt: later });
    expect(s.transition).toEqual({
      caseId: 'cc_1',
      from: 'awaiting_documents',
      to: 'expired',
      at: later,
      cause: 'deadline_passed',
      causeEventId: null,
    });
  });

  it('chains commands, one version per command, with the changes of each', () => {
    const c = aCase('cc_1', 'ten_a', { state: 'documents_received' });
    const { next, transitions } = steps(
      c,
      [
        { command: 'start_review' },
        { command: 'reject_documents' },
        { command: 'request_documents', changes: { documentsRound: 2 } },
      ],
      'document_rejected',
      'evt-9',
      later,
    );
    expect(next).toMatchObject({
      state: 'awaiting_documents',
      version: 4,
      documentsRound: 2,
      closedAt: null,
    });
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual([
      'documents_received->under_review',
      'under_review->rejected',
      'rejected->awaiting_documents',
    ]);
  });

  it('refuses an illegal move before producing anything', () => {
    expect(() =>
      step(aCase('cc_1', 'ten_a', { state: 'opened' }), 'expire', 'deadline_passed', null, later),
    ).toThrow(IllegalTransitionError);
  });
});
