import type { RotaEntry } from '../directory/directory.types';
import {
  ackDueAfterNotice,
  deadlineRiskAt,
  decideEscalation,
  nextEscalationDueAt,
  nextLevel,
  pickEscalationManager,
  quietHoursEnd,
  quietHoursHold,
  type EscalationInput,
} from './escalation';

const TZ = 'Asia/Shanghai';
// 2026-11-25 23:30 in Shanghai (UTC+8).
const NIGHT = new Date('2026-11-25T15:30:00Z');
// 2026-11-25 14:00 in Shanghai.
const AFTERNOON = new Date('2026-11-25T06:00:00Z');
const QUIET = { start: '22:00', end: '07:00' };
const HOUR = 3_600_000;
const SLA = { stepMs: HOUR, expeditedStepMs: 15 * 60_000 };

const input = (overrides: Partial<EscalationInput>): EscalationInput => ({
  now: AFTERNOON,
  reason: 'ack_sla_breached',
  state: 'open',
  documentsIn: false,
  level: 'steward',
  deadline: null,
  expedited: false,
  quietHours: QUIET,
  timeZone: TZ,
  ...overrides,
});

const rotaEntry = (overrides: Partial<RotaEntry>): RotaEntry => ({
  staffId: 'stf_m',
  role: 'manager',
  language: 'zh',
  onDuty: false,
  priority: 100,
  weekdays: null,
  startsAt: null,
  endsAt: null,
  ...overrides,
});

describe('escalation ladder', () => {
  it('goes steward -> manager -> operations and stops there', () => {
    expect(nextLevel('steward')).toBe('manager');
    expect(nextLevel('manager')).toBe('operations');
    expect(nextLevel('operations')).toBeNull();
  });

  it('escalates an open task outside quiet hours', () => {
    expect(decideEscalation(input({}), SLA)).toEqual({
      kind: 'escalate',
      to: 'manager',
      quietHoursOverridden: false,
    });
    expect(decideEscalation(input({ level: 'manager' }), SLA)).toEqual({
      kind: 'escalate',
      to: 'operations',
      quietHoursOverridden: false,
    });
  });

  it('stops the acknowledgement ladder once the documents are in, but still warns of a deadline at risk', () => {
    expect(decideEscalation(input({ documentsIn: true }), SLA)).toEqual({
      kind: 'none',
      why: 'documents_in',
    });
    expect(decideEscalation(input({ documentsIn: true, reason: 'unreachable' }), SLA)).toEqual({
      kind: 'none',
      why: 'documents_in',
    });
    expect(decideEscalation(input({ documentsIn: true, reason: 'deadline_at_risk' }), SLA)).toEqual({
      kind: 'escalate',
      to: 'manager',
      quietHoursOverridden: false,
    });
  });

  it('does nothing for closed or acknowledged tasks, or at the top', () => {
    expect(decideEscalation(input({ state: 'closed' }), SLA)).toEqual({ kind: 'none', why: 'closed' });
    expect(decideEscalation(input({ state: 'acknowledged' }), SLA)).toEqual({
      kind: 'none',
      why: 'acknowledged',
    });
    expect(decideEscalation(input({ level: 'operations' }), SLA)).toEqual({
      kind: 'none',
      why: 'top_of_ladder',
    });
  });

  it('still warns about a deadline at risk when the task was acknowledged', () => {
    expect(decideEscalation(input({ state: 'acknowledged', reason: 'deadline_at_risk' }), SLA)).toMatchObject(
      {
        kind: 'escalate',
        to: 'manager',
      },
    );
  });

  it('holds an escalation in quiet hours until they end', () => {
    const decision = decideEscalation(input({ now: NIGHT, deadline: new Date('2026-11-27T00:00:00Z') }), SLA);
    // 07:00 Shanghai on the 26th.
    expect(decision).toEqual({ kind: 'defer', until: new Date('2026-11-25T23:00:00Z') });
  });

  it('overrides quiet hours when the deadline would leave less than one step after them', () => {
    // Deadline 07:30 Shanghai: 30 min after quiet hours end, the step is 1 h.
    const deadline = new Date('2026-11-25T23:30:00Z');
    expect(decideEscalation(input({ now: NIGHT, deadline }), SLA)).toEqual({
      kind: 'escalate',
      to: 'manager',
      quietHoursOverridden: true,
    });
    // An expedited task's step is 15 min, so the same deadline can wait for the morning.
    expect(decideEscalation(input({ now: NIGHT, deadline, expedited: true }), SLA).kind).toBe('defer');
  });

  it('rules an unreachable assignee like a missed acknowledgement: open tasks only, quiet hours apply', () => {
    expect(decideEscalation(input({ reason: 'unreachable' }), SLA)).toEqual({
      kind: 'escalate',
      to: 'manager',
      quietHoursOverridden: false,
    });
    expect(decideEscalation(input({ reason: 'unreachable', state: 'acknowledged' }), SLA)).toEqual({
      kind: 'none',
      why: 'acknowledged',
    });
    expect(
      decideEscalation(
        input({ reason: 'unreachable', now: NIGHT, deadline: new Date('2026-11-27T00:00:00Z') }),
        SLA,
      ).kind,
    ).toBe('defer');
  });

  it('holds for quiet hours only while the deadline leaves enough time after them', () => {
    const base = { now: NIGHT, quietHours: QUIET, timeZone: TZ, mustLeaveMs: 2 * HOUR };
    expect(quietHoursHold({ ...base, deadline: null })).toEqual(new Date('2026-11-25T23:00:00Z'));
    // Deadline 10:00 Shanghai: three hours after the quiet hours end, more than the two needed.
    expect(quietHoursHold({ ...base, deadline: new Date('2026-11-26T02:00:00Z') })).toEqual(
      new Date('2026-11-25T23:00:00Z'),
    );
    // Deadline 08:00 Shanghai: one hour after they end: it cannot wait.
    expect(quietHoursHold({ ...base, deadline: new Date('2026-11-26T00:00:00Z') })).toBeNull();
    expect(quietHoursHold({ ...base, now: AFTERNOON, deadline: null })).toBeNull();
  });

  it('finds the end of quiet hours on either side of midnight, and none outside them', () => {
    expect(quietHoursEnd(NIGHT, QUIET, TZ)).toEqual(new Date('2026-11-25T23:00:00Z'));
    // 03:10 Shanghai on the 26th.
    expect(quietHoursEnd(new Date('2026-11-25T19:10:30Z'), QUIET, TZ)).toEqual(
      new Date('2026-11-25T23:00:00Z'),
    );
    expect(quietHoursEnd(AFTERNOON, QUIET, TZ)).toBeNull();
    expect(quietHoursEnd(NIGHT, null, TZ)).toBeNull();
    // A same-day window (12:00-14:30) at 14:00.
    expect(quietHoursEnd(AFTERNOON, { start: '12:00', end: '14:30' }, TZ)).toEqual(
      new Date('2026-11-25T06:30:00Z'),
    );
  });

  it('gives the next rung one step, never past the deadline', () => {
    expect(nextEscalationDueAt(AFTERNOON, { expedited: false, deadline: null }, SLA)).toEqual(
      new Date(AFTERNOON.getTime() + HOUR),
    );
    expect(nextEscalationDueAt(AFTERNOON, { expedited: true, deadline: null }, SLA)).toEqual(
      new Date(AFTERNOON.getTime() + 15 * 60_000),
    );
    const soon = new Date(AFTERNOON.getTime() + 10 * 60_000);
    expect(nextEscalationDueAt(AFTERNOON, { expedited: false, deadline: soon }, SLA)).toEqual(soon);
  });

  it('warns riskMs before the deadline, half-way for a close one, never for a past one', () => {
    const deadline = new Date(AFTERNOON.getTime() + 24 * HOUR);
    expect(deadlineRiskAt(AFTERNOON, deadline, 6 * HOUR)).toEqual(new Date(AFTERNOON.getTime() + 18 * HOUR));
    const close = new Date(AFTERNOON.getTime() + 4 * HOUR);
    expect(deadlineRiskAt(AFTERNOON, close, 6 * HOUR)).toEqual(new Date(AFTERNOON.getTime() + 2 * HOUR));
    expect(deadlineRiskAt(AFTERNOON, new Date(AFTERNOON.getTime() - 1), 6 * HOUR)).toBeNull();
    expect(deadlineRiskAt(AFTERNOON, null, 6 * HOUR)).toBeNull();
  });

  it('calls the on-duty manager first, any manager otherwise, never a steward', () => {
    const rota = [
      rotaEntry({ staffId: 'stf_steward', role: 'steward', onDuty: true, priority: 999 }),
      rotaEntry({ staffId: 'stf_m_off', priority: 500 }),
      rotaEntry({ staffId: 'stf_m_on', onDuty: true, priority: 1 }),
    ];
    expect(pickEscalationManager(rota, AFTERNOON, TZ)?.staffId).toBe('stf_m_on');
    expect(pickEscalationManager(rota.slice(0, 2), AFTERNOON, TZ)?.staffId).toBe('stf_m_off');
    expect(pickEscalationManager(rota.slice(0, 1), AFTERNOON, TZ)).toBeUndefined();
  });
});

describe('ackDueAfterNotice', () => {
  const task = { createdAt: new Date('2026-11-25T15:00:00Z'), ackDueAt: new Date('2026-11-25T17:00:00Z') };

  it('counts the acknowledgement time from a notice held past the task’s creation', () => {
    expect(ackDueAfterNotice(task, new Date('2026-11-25T23:00:00Z'))).toEqual(
      new Date('2026-11-26T01:00:00Z'),
    );
  });

  it('keeps the task’s own time when the notice went at once, or there was none', () => {
    expect(ackDueAfterNotice(task, task.createdAt)).toEqual(task.ackDueAt);
    expect(ackDueAfterNotice(task, new Date('2026-11-25T14:59:00Z'))).toEqual(task.ackDueAt);
    expect(ackDueAfterNotice(task, null)).toEqual(task.ackDueAt);
  });
});
