import { Inject, Injectable } from '@nestjs/common';
import type { Timer } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import { isOpen, type ClearanceCase } from '../cases/case';
import { CaseActivityRepository } from '../cases/case-activity.repository';
import { CaseClosing } from '../cases/case-closing';
import { caseExpiredEvent, residentReminderDueEvent, stewardAckSlaBreachedEvent } from '../cases/case-events';
import { CaseMetrics } from '../cases/case-metrics';
import { canTransition } from '../cases/case-state';
import { step } from '../cases/case-step';
import { CaseWriter, ConcurrentCaseUpdateError } from '../cases/case-writer';
import { CaseRepository } from '../cases/case.repository';
import { CLOCK, type Clock } from '../shared/tokens';
import { CaseTimers } from './case-timers';
import type { AckSlaPayload, ExpiryPayload, ReminderPayload } from './timer-plan';

/** The acknowledgement window of the case's current round passed with nobody acknowledging, unrecorded. */
export function ackWindowMissed(
  c: Pick<ClearanceCase, 'ackDueAt' | 'acknowledgedAt' | 'ackSlaBreachedAt'>,
  now: Date,
): boolean {
  return c.ackDueAt !== null && c.ackDueAt <= now && !c.acknowledgedAt && !c.ackSlaBreachedAt;
}

/** What a timer did; the runner's span records it, tests assert on it. */
export type DeadlineOutcome = 'reminded' | 'breached' | 'expired' | 'moot';

/**
 * The effects of a case's timers, run by the TimerRunner in the transaction that deletes the timer:
 * the event and the case change commit with the firing, or not at all. Each re-reads the case
 * (locked) and does nothing when the case has moved on ("moot"): timers are cancelled with the
 * change that makes them pointless, but a handler never relies on that alone.
 */
@Injectable()
export class DeadlineHandlers {
  constructor(
    private readonly cases: CaseRepository,
    private readonly activity: CaseActivityRepository,
    private readonly writer: CaseWriter,
    private readonly closing: CaseClosing,
    private readonly caseTimers: CaseTimers,
    private readonly metrics: CaseMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Reminders of a claimed batch together (they come in bulk: every open case has three): one
   * locked read of their cases, one outbox statement. Only while the resident has something to do:
   * awaiting documents (a re-request included).
   */
  async reminders(timers: readonly Timer<ReminderPayload>[], m: EntityManager): Promise<DeadlineOutcome[]> {
    const cases = new Map(
      (
        await this.cases.findManyForUpdate(
          m,
          timers.map((t) => t.payload.caseId),
        )
      ).map((c) => [c.id, c]),
    );
    const now = this.clock();
    const due = timers.map((t) => cases.get(t.payload.caseId));
    const reminded = due.filter(
      (c): c is NonNullable<typeof c> => !!c && isOpen(c) && c.state === 'awaiting_documents',
    );
    await this.writer.publishAll(
      m,
      reminded.map((c) => ({ case: c, event: residentReminderDueEvent(c, now) })),
    );
    for (const c of reminded) this.metrics.reminderDue(c.expedited);
    return due.map((c) => (c && reminded.includes(c) ? 'reminded' : 'moot'));
  }

  /** Breached when nobody acknowledged this round's request; a later round has its own timer. */
  async ackSla(timer: Timer<AckSlaPayload>, m: EntityManager): Promise<DeadlineOutcome> {
    const c = await this.cases.findById(m, timer.payload.caseId, { lock: true });
    if (!c || !isOpen(c) || c.documentsRound !== timer.payload.round) return 'moot';
    if (c.acknowledgedAt || c.ackSlaBreachedAt || !c.ackDueAt) return 'moot';
    await this.recordAckBreach(m, c, c.ackDueAt, timer.payload.slaMinutes, `timer:${timer.id}`);
    return 'breached';
  }

  /** Marks the breach, records the activity, publishes StewardAckSlaBreached; the case as it is now. */
  private async recordAckBreach(
    m: EntityManager,
    c: ClearanceCase,
    ackDueAt: Date,
    slaMinutes: number,
    sourceEventId: string,
  ): Promise<ClearanceCase> {
    const now = this.clock();
    const next = { ...c, ackSlaBreachedAt: now, updatedAt: now, version: c.version + 1 };
    if (!(await this.cases.saveAckMarks(m, next, c.version))) throw new ConcurrentCaseUpdateError(c.id);
    await this.activity.record(m, { caseId: c.id, kind: 'ack_sla_breached', actorId: null, sourceEventId, at: now });
    await this.writer.publish(m, next, [stewardAckSlaBreachedEvent(next, ackDueAt, slaMinutes, now)]);
    this.metrics.ackSlaBreached(c.expedited);
    return next;
  }

  /** The deadline passed with the case still waiting on documents or on their review. */
  async expiry(timer: Timer<ExpiryPayload>, m: EntityManager): Promise<DeadlineOutcome> {
    const c = await this.cases.findById(m, timer.payload.caseId, { lock: true });
    if (!c || !isOpen(c) || !canTransition(c.state, 'expire')) return 'moot';
    const now = this.clock();
    // The timer may run late (a backlog, a restart): the case's own deadline is the truth.
    if (c.deadline > now) return 'moot';
    // Both timers due at once (after downtime), the expiry claimed first: the missed acknowledgement
    // is still a breach, recorded before the expiry (closing cancels the SLA timer with the case).
    const current =
      c.ackDueAt && ackWindowMissed(c, now)
        ? await this.recordAckBreach(m, c, c.ackDueAt, this.caseTimers.ackSlaMinutes(c), `timer:${timer.id}`)
        : c;
    const { next, transition } = step(current, 'expire', 'deadline_passed', null, now);
    await this.writer.change(m, current, next, [transition], [caseExpiredEvent(next, current.state, now)]);
    await this.closing.closed(m, next, 'expired', now);
    return 'expired';
  }
}
