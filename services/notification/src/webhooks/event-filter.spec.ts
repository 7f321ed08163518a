import { isKnownFilter, matchesEventType } from './event-filter';

describe('event-type filters', () => {
  it('matches exact types, prefix wildcards and *', () => {
    expect(matchesEventType(['clearance.case.opened'], 'clearance.case.opened')).toBe(true);
    expect(matchesEventType(['clearance.case.opened'], 'clearance.case.cleared')).toBe(false);
    expect(matchesEventType(['clearance.*'], 'clearance.case.cleared')).toBe(true);
    expect(matchesEventType(['clearance.*'], 'outreach.task.created')).toBe(false);
    expect(matchesEventType(['outreach.task.*'], 'outreach.task.closed')).toBe(true);
    expect(matchesEventType(['outreach.task.*'], 'outreach.message.sent')).toBe(false);
    expect(matchesEventType(['*'], 'outreach.message.sent')).toBe(true);
    // a prefix matches whole segments only
    expect(matchesEventType(['clear.*'], 'clearance.case.opened')).toBe(false);
  });

  it('knows which filters name at least one event type', () => {
    expect(isKnownFilter('clearance.case.opened')).toBe(true);
    expect(isKnownFilter('outreach.*')).toBe(true);
    expect(isKnownFilter('*')).toBe(true);
    expect(isKnownFilter('clearance.case.opend')).toBe(false);
    expect(isKnownFilter('claims.*')).toBe(false);
  });
});
