import { ackDueAt, documentsTaskKind } from './outreach-task';

const NOW = new Date('2026-11-25T06:00:00Z');
const SLA = { normalMs: 2 * 3600_000, expeditedMs: 30 * 60_000 };
const plus = (ms: number) => new Date(NOW.getTime() + ms);

describe('outreach task rules', () => {
  it('gives the steward 2 h to acknowledge, 30 min when expedited', () => {
    expect(ackDueAt(NOW, { expedited: false, deadline: plus(72 * 3600_000) }, SLA)).toEqual(
      plus(2 * 3600_000),
    );
    expect(ackDueAt(NOW, { expedited: true, deadline: plus(72 * 3600_000) }, SLA)).toEqual(plus(30 * 60_000));
    expect(ackDueAt(NOW, { expedited: false, deadline: null }, SLA)).toEqual(plus(2 * 3600_000));
  });

  it('never lets acknowledgement fall due after the case deadline', () => {
    expect(ackDueAt(NOW, { expedited: false, deadline: plus(3600_000) }, SLA)).toEqual(plus(3600_000));
    // a deadline already passed cannot be met; the SLA still applies so escalation starts
    expect(ackDueAt(NOW, { expedited: false, deadline: plus(-60_000) }, SLA)).toEqual(plus(2 * 3600_000));
  });

  it('asks for documents in round 1 and for a re-upload afterwards', () => {
    expect(documentsTaskKind(1)).toBe('documents_requested');
    expect(documentsTaskKind(2)).toBe('reupload_requested');
  });
});
