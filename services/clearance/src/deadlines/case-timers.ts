import { Inject, Injectable } from '@nestjs/common';
import { TimerScheduler } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import { ackDueAt, caseTimerPrefix, documentsRequestTimers, slaMinutesOf, type TimedCase } from './timer-plan';
import type { TimerRules } from './timer-rules';

export const TIMER_RULES = 'clearance:timer-rules';

/** A case with the rules it runs on (null: the service default). */
export interface RuledCase extends TimedCase {
  readonly timerRules: TimerRules | null;
}

/**
 * Schedules and cancels a case's durable timers, always through the transaction that changes the
 * case, so a timer exists exactly when the state that needs it was committed.
 */
@Injectable()
export class CaseTimers {
  private readonly scheduler = new TimerScheduler();

  /** `defaults`: the service's rules (CLEARANCE_TIMER_RULES), for policies without their own. */
  constructor(@Inject(TIMER_RULES) readonly defaults: TimerRules) {}

  ackDueAt(c: RuledCase, now: Date): Date {
    return ackDueAt(c, this.rulesOf(c), now);
  }

  /** The steward's acknowledgement SLA this case runs on, in minutes. */
  ackSlaMinutes(c: RuledCase): number {
    return slaMinutesOf(c, this.rulesOf(c));
  }

  /** A documents request (first or after a rejection): SLA, reminders, expiry. */
  async documentsRequested(m: EntityManager, c: RuledCase, round: number, now: Date): Promise<void> {
    await this.scheduler.scheduleMany(m, documentsRequestTimers(c, round, this.rulesOf(c), now));
  }

  private rulesOf(c: RuledCase): TimerRules {
    return c.timerRules ?? this.defaults;
  }

  /** The steward acknowledged: the SLA timer goes, reminders and expiry stay. */
  async acknowledged(m: EntityManager, caseId: string): Promise<void> {
    await this.scheduler.cancel(m, `${caseTimerPrefix(caseId)}ack-sla`);
  }

  /** The resident has nothing to do while documents are reviewed: reminders pause until a re-request. */
  async documentsIn(m: EntityManager, caseId: string): Promise<void> {
    await this.scheduler.cancelByPrefix(m, `${caseTimerPrefix(caseId)}reminder:`);
  }

  /** The case closed: nothing of it may fire any more. */
  async closed(m: EntityManager, caseId: string): Promise<void> {
    await this.scheduler.cancelByPrefix(m, caseTimerPrefix(caseId));
  }
}
