import { ackWindowMissed } from './deadline-handlers.service';

const due = new Date('2026-12-03T10:00:00Z');
const at = (ms: number) => new Date(due.getTime() + ms);

describe('ackWindowMissed', () => {
  it('is missed from the due instant on, while nobody acknowledged and no breach is recorded', () => {
    const c = { ackDueAt: due, acknowledgedAt: null, ackSlaBreachedAt: null };
    expect(ackWindowMissed(c, at(-1))).toBe(false);
    expect(ackWindowMissed(c, at(0))).toBe(true);
    expect(ackWindowMissed(c, at(3_600_000))).toBe(true);
  });

  it('is not missed once acknowledged, once the breach is recorded, or without a window', () => {
    expect(ackWindowMissed({ ackDueAt: due, acknowledgedAt: at(-5), ackSlaBreachedAt: null }, at(1))).toBe(false);
    expect(ackWindowMissed({ ackDueAt: due, acknowledgedAt: null, ackSlaBreachedAt: at(0) }, at(1))).toBe(false);
    expect(ackWindowMissed({ ackDueAt: null, acknowledgedAt: null, ackSlaBreachedAt: null }, at(1))).toBe(false);
  });
});
