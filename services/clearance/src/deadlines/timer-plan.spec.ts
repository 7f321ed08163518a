import { caseTimerPrefix, documentsRequestTimers, expedite, slaMinutesOf, TIMER_KIND } from './timer-plan';
import { DEFAULT_TIMER_RULES, timerRulesSchema } from './timer-rules';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-24T06:00:00Z');
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR);

describe('documentsRequestTimers', () => {
  it('schedules the 2 h acknowledgement SLA, the three reminders and the expiry of a 72 h case', () => {
    const timers = documentsRequestTimers(
      { id: 'cc_1', deadline: at(72), expedited: false },
      1,
      DEFAULT_TIMER_RULES,
      NOW,
    );
    expect(timers.map((t) => [t.key, t.kind, t.dueAt])).toEqual([
      ['case:cc_1:ack-sla', TIMER_KIND.ackSla, at(2)],
      ['case:cc_1:reminder:48h', TIMER_KIND.reminder, at(24)],
      ['case:cc_1:reminder:24h', TIMER_KIND.reminder, at(48)],
      ['case:cc_1:reminder:6h', TIMER_KIND.reminder, at(66)],
      ['case:cc_1:expiry', TIMER_KIND.expiry, at(72)],
    ]);
    expect(timers[0]!.payload).toEqual({ caseId: 'cc_1', round: 1, slaMinutes: 120 });
    expect(timers[1]!.payload).toEqual({ caseId: 'cc_1', leadHours: 48 });
    expect(timers.every((t) => t.key.startsWith(caseTimerPrefix('cc_1')))).toBe(true);
  });

  it('leaves out reminders whose time has already passed', () => {
    const timers = documentsRequestTimers(
      { id: 'cc_1', deadline: at(30), expedited: false },
      2,
      DEFAULT_TIMER_RULES,
      NOW,
    );
    expect(timers.map((t) => t.key)).toEqual([
      'case:cc_1:ack-sla',
      'case:cc_1:reminder:24h',
      'case:cc_1:reminder:6h',
      'case:cc_1:expiry',
    ]);
    expect(timers[0]!.payload).toMatchObject({ round: 2 });
  });

  it('shortens every delay from now for an expedited case, but never moves the deadline', () => {
    const timers = documentsRequestTimers(
      { id: 'cc_1', deadline: at(72), expedited: true },
      1,
      DEFAULT_TIMER_RULES,
      NOW,
    );
    expect(timers.map((t) => t.dueAt)).toEqual([at(1), at(12), at(24), at(33), at(72)]);
    expect(timers[0]!.payload).toMatchObject({ slaMinutes: 60 });
  });

  it('keeps an already passed deadline due at once, so the case expires instead of waiting', () => {
    const timers = documentsRequestTimers(
      { id: 'cc_1', deadline: at(-1), expedited: false },
      1,
      DEFAULT_TIMER_RULES,
      NOW,
    );
    expect(timers.map((t) => t.kind)).toEqual([TIMER_KIND.ackSla, TIMER_KIND.expiry]);
    expect(timers[1]!.dueAt).toEqual(at(-1));
  });

  it('ignores repeated leads and orders reminders by their time', () => {
    const rules = { ...DEFAULT_TIMER_RULES, reminderLeadHours: [6, 24, 6] };
    const timers = documentsRequestTimers({ id: 'cc_1', deadline: at(72), expedited: false }, 1, rules, NOW);
    expect(timers.filter((t) => t.kind === TIMER_KIND.reminder).map((t) => t.key)).toEqual([
      'case:cc_1:reminder:24h',
      'case:cc_1:reminder:6h',
    ]);
  });
});

describe('expedite', () => {
  it('leaves a normal case alone and never schedules into the past', () => {
    expect(expedite(NOW, at(10), { expedited: false }, DEFAULT_TIMER_RULES)).toEqual(at(10));
    expect(expedite(NOW, at(-3), { expedited: true }, DEFAULT_TIMER_RULES)).toEqual(NOW);
  });

  it('keeps at least a minute of SLA however small the factor', () => {
    expect(
      slaMinutesOf(
        { expedited: true },
        { ...DEFAULT_TIMER_RULES, stewardAckSlaMinutes: 5, expeditedFactor: 0.01 },
      ),
    ).toBe(1);
  });
});

describe('timerRulesSchema', () => {
  it('accepts the defaults and refuses nonsense', () => {
    expect(timerRulesSchema.parse(DEFAULT_TIMER_RULES)).toEqual(DEFAULT_TIMER_RULES);
    expect(timerRulesSchema.safeParse({ ...DEFAULT_TIMER_RULES, expeditedFactor: 0 }).success).toBe(false);
    expect(timerRulesSchema.safeParse({ ...DEFAULT_TIMER_RULES, expeditedFactor: 2 }).success).toBe(false);
    expect(timerRulesSchema.safeParse({ ...DEFAULT_TIMER_RULES, stewardAckSlaMinutes: 1 }).success).toBe(
      false,
    );
    expect(timerRulesSchema.safeParse({ ...DEFAULT_TIMER_RULES, reminderLeadHours: [-1] }).success).toBe(
      false,
    );
    expect(timerRulesSchema.safeParse({ ...DEFAULT_TIMER_RULES, extra: 1 }).success).toBe(false);
  });
});
