import type { ScheduleTimer } from '@portico/timers';
import type { TimerRules } from './timer-rules';

/**
 * Which durable timers a case needs, as a pure function of the case, its timer rules and now.
 * Scheduling and firing are elsewhere (case-timers.ts, deadline handlers); this is the arithmetic.
 */

export const TIMER_KIND = {
  reminder: 'clearance-reminder',
  ackSla: 'clearance-ack-sla',
  expiry: 'clearance-expiry',
} as const;

export interface ReminderPayload {
  readonly caseId: string;
  /** The rule's lead (48, 24, 6): which reminder this is, whatever expediting did to its time. */
  readonly leadHours: number;
}

export interface AckSlaPayload {
  readonly caseId: string;
  /** The documents round whose request must be acknowledged; a later round replaces the timer. */
  readonly round: number;
  readonly slaMinutes: number;
}

export interface ExpiryPayload {
  readonly caseId: string;
}

export interface TimedCase {
  readonly id: string;
  readonly deadline: Date;
  readonly expedited: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Keys of one case share this prefix, so closing a case cancels all of them in one statement. */
export function caseTimerPrefix(caseId: string): string {
  return `case:${caseId}:`;
}

/**
 * Expedited: every delay measured from now is multiplied by the factor, so each timer comes
 * sooner (an SLA of 2 h becomes 1 h; a reminder due in 40 h comes in 20 h). Never later than the
 * unexpedited time, never in the past.
 */
export function expedite(now: Date, at: Date, c: Pick<TimedCase, 'expedited'>, rules: TimerRules): Date {
  if (!c.expedited) return at;
  const delay = Math.max(0, at.getTime() - now.getTime());
  return new Date(now.getTime() + Math.round(delay * rules.expeditedFactor));
}

/** The acknowledgement deadline of a documents request made `now`. */
export function ackDueAt(c: TimedCase, rules: TimerRules, now: Date): Date {
  return expedite(now, new Date(now.getTime() + rules.stewardAckSlaMinutes * MINUTE), c, rules);
}

/**
 * Timers for a documents request (round 1 when the case opens, n + 1 after a rejection): the
 * steward's acknowledgement SLA, the resident reminders still ahead of the deadline, and the
 * deadline's expiry. Reminders whose time has passed are left out (the request itself is the
 * message); scheduling the same keys again moves the pending ones (last schedule wins).
 */
export function documentsRequestTimers(
  c: TimedCase,
  round: number,
  rules: TimerRules,
  now: Date,
): ScheduleTimer<ReminderPayload | AckSlaPayload | ExpiryPayload>[] {
  const prefix = caseTimerPrefix(c.id);
  const timers: ScheduleTimer<ReminderPayload | AckSlaPayload | ExpiryPayload>[] = [
    {
      key: `${prefix}ack-sla`,
      kind: TIMER_KIND.ackSla,
      dueAt: ackDueAt(c, rules, now),
      payload: { caseId: c.id, round, slaMinutes: slaMinutesOf(c, rules) },
    },
  ];
  const leads = [...new Set(rules.reminderLeadHours)].sort((a, b) => b - a);
  for (const leadHours of leads) {
    const nominal = new Date(c.deadline.getTime() - leadHours * HOUR);
    if (nominal <= now) continue;
    timers.push({
      key: `${prefix}reminder:${leadHours}h`,
      kind: TIMER_KIND.reminder,
      dueAt: expedite(now, nominal, c, rules),
      payload: { caseId: c.id, leadHours },
    });
  }
  timers.push(expiryTimer(c));
  return timers;
}

/** The deadline's expiry (only documents holds expire: an inspection waits for customs alone). */
export function expiryTimer(c: TimedCase): ScheduleTimer<ExpiryPayload> {
  return {
    key: `${caseTimerPrefix(c.id)}expiry`,
    kind: TIMER_KIND.expiry,
    dueAt: c.deadline,
    payload: { caseId: c.id },
  };
}

export function slaMinutesOf(c: Pick<TimedCase, 'expedited'>, rules: TimerRules): number {
  return c.expedited
    ? Math.max(1, Math.round(rules.stewardAckSlaMinutes * rules.expeditedFactor))
    : rules.stewardAckSlaMinutes;
}
