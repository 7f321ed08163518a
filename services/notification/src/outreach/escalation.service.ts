import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { OutboxWriter } from '@portico/messaging';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { Timer } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import { DirectoryRepository } from '../directory/directory.repository';
import { FollowUpMessages } from '../messages/follow-up-messages';
import type { MessageRecord } from '../messages/message';
import { MessageHooks } from '../messages/message-hooks';
import { NotificationTimers } from '../shared/notification-timers';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';
import {
  ackDueAfterNotice,
  deadlineRiskAt,
  decideEscalation,
  nextEscalationDueAt,
  pickEscalationManager,
  type EscalationDecision,
  type EscalationLevel,
  type EscalationSla,
} from './escalation';
import { escalated, toOutbox } from './outreach-events';
import { OutreachMetrics } from './outreach.metrics';
import { followUpOf, TaskActionsRepository, type ActionableTask } from './task-actions.repository';
import { TASK_TIMER, TaskTimers, type TaskTimerPayload } from './task-timers';

export type EscalationOutcome = EscalationDecision['kind'] | 'task_gone';

/**
 * The ladder steward -> manager -> operations on durable timers. A task gets an acknowledgement
 * timer at its ack_due_at and, with a deadline, a deadline-at-risk timer; each firing applies
 * `decideEscalation` in the timer's transaction (row lock on the task, state change, Escalated on
 * the outbox, the next rung's timer), so a restart neither loses nor repeats a step.
 */
@Injectable()
export class EscalationService implements OnModuleInit {
  private readonly log: Logger;
  private readonly sla: EscalationSla;
  private readonly riskMs: number;

  constructor(
    private readonly tasks: TaskActionsRepository,
    private readonly directory: DirectoryRepository,
    private readonly timers: TaskTimers,
    private readonly runner: NotificationTimers,
    private readonly outbox: OutboxWriter,
    private readonly metrics: OutreachMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_CONFIG)
    config: Pick<
      NotificationConfig,
      'outreachEscalationStepMs' | 'outreachExpeditedEscalationStepMs' | 'outreachDeadlineRiskMs'
    >,
    @Inject(ROOT_LOGGER) root: Logger,
    // Optional for unit specs only; Nest always injects them (MessagesModule is global).
    @Optional() private readonly followUps?: FollowUpMessages,
    @Optional() private readonly hooks?: MessageHooks,
  ) {
    this.log = root.child({ component: 'escalation' });
    this.sla = {
      stepMs: config.outreachEscalationStepMs,
      expeditedStepMs: config.outreachExpeditedEscalationStepMs,
    };
    this.riskMs = config.outreachDeadlineRiskMs;
  }

  onModuleInit(): void {
    this.runner.register<TaskTimerPayload>(TASK_TIMER.ackSla, (t, m) => this.fire(t, m, 'ack_sla_breached'));
    this.runner.register<TaskTimerPayload>(TASK_TIMER.deadlineRisk, (t, m) =>
      this.fire(t, m, 'deadline_at_risk'),
    );
    this.hooks?.onUnreachable((m, message, code) => this.onUnreachable(m, message, code));
  }

  /**
   * Every channel to the person answering for a task failed for good (their new-task or escalation
   * notice): the next rung is called now, as if their time had run out — unless the task has moved
   * on, someone took it, or the notice was for someone who no longer answers for it.
   */
  private async onUnreachable(m: EntityManager, message: MessageRecord, errorCode: string): Promise<void> {
    if (!message.taskId || !['steward', 'manager'].includes(message.recipientRole)) return;
    const task = await this.tasks.lock(m, message.taskId);
    if (!task || task.assigneeId !== message.recipientId) return;
    const outcome = await this.escalate(m, task.id, 'unreachable', TASK_TIMER.ackSla);
    this.log.warn(
      { taskId: task.id, messageId: message.id, recipientRole: message.recipientRole, errorCode, outcome },
      'assignee unreachable on every channel',
    );
  }

  /** A new task's timers, in the transaction that creates it. */
  async scheduleForNewTask(
    m: EntityManager,
    task: { id: string; ackDueAt: Date; deadline: Date | null },
    now: Date,
  ): Promise<void> {
    // one statement for both (a task per hold: ~20/s at the target load)
    await this.timers.scheduleForNewTask(
      m,
      task.id,
      task.ackDueAt,
      deadlineRiskAt(now, task.deadline, this.riskMs),
    );
  }

  private async fire(
    timer: Timer<TaskTimerPayload>,
    m: EntityManager,
    reason: 'ack_sla_breached' | 'deadline_at_risk',
  ): Promise<void> {
    const outcome = await this.escalate(m, timer.payload.taskId, reason, timer.kind);
    trace.getActiveSpan()?.setAttribute('portico.outreach.escalation', outcome);
  }

  /** One firing: decide, then move the task up, hold it until quiet hours end, or leave it. */
  async escalate(
    m: EntityManager,
    taskId: string,
    reason: 'ack_sla_breached' | 'deadline_at_risk' | 'unreachable',
    kind: string = reason === 'deadline_at_risk' ? TASK_TIMER.deadlineRisk : TASK_TIMER.ackSla,
  ): Promise<EscalationOutcome> {
    const task = await this.tasks.lock(m, taskId);
    if (!task) return 'task_gone';
    const now = this.clock();
    const property = await this.directory.property(m, task.propertyId);
    const hours = { timeZone: property?.timeZone ?? 'UTC', quietHours: property?.quietHours ?? null };
    const decision = decideEscalation(
      {
        now,
        reason,
        state: task.state,
        documentsIn: task.documentsReceivedAt !== null,
        level: task.escalationLevel,
        deadline: task.deadline,
        expedited: task.expedited,
        quietHours: hours.quietHours,
        timeZone: hours.timeZone,
      },
      this.sla,
    );
    const ids = { taskId, propertyId: task.propertyId, caseId: task.caseId, parcelId: task.parcelId, reason };
    if (
      reason === 'ack_sla_breached' &&
      task.state === 'open' &&
      task.escalationLevel === 'steward' &&
      task.stewardId
    ) {
      const due = ackDueAfterNotice(task, await this.tasks.stewardToldAt(m, task.id, task.stewardId));
      if (due.getTime() > now.getTime()) {
        await this.timers.scheduleAckSla(m, taskId, due);
        this.log.info(
          { ...ids, until: due.toISOString() },
          'acknowledgement time counted from the held notice',
        );
        return 'defer';
      }
    }
    if (decision.kind === 'defer') {
      // Same kind again at the end of the quiet hours; the decision is taken afresh then.
      if (kind === TASK_TIMER.ackSla) await this.timers.scheduleAckSla(m, taskId, decision.until);
      else await this.timers.scheduleDeadlineRisk(m, taskId, decision.until);
      this.log.info({ ...ids, until: decision.until.toISOString() }, 'escalation held for quiet hours');
      return 'defer';
    }
    if (decision.kind === 'none') return 'none';

    const { level: to, assigneeId } = await this.rung(m, task, decision.to, now, hours.timeZone);
    await this.tasks.escalate(m, taskId, to, assigneeId, now);
    await this.tasks.record(m, {
      taskId,
      tenantId: task.tenantId,
      propertyId: task.propertyId,
      action: 'escalated',
      actorId: null,
      level: to,
      reason,
      toUserId: assigneeId,
      occurredAt: now,
    });
    await this.outbox.append(
      m,
      toOutbox(
        task.tenantId,
        task.parcelId,
        escalated(task, {
          level: to,
          previousLevel: task.escalationLevel,
          reason,
          assigneeId,
          quietHoursOverridden: decision.quietHoursOverridden,
          at: now,
        }),
      ),
    );
    // The next rung gets its own acknowledgement time (none above operations).
    if (task.state === 'open' && to !== 'operations') {
      await this.timers.scheduleAckSla(m, taskId, nextEscalationDueAt(now, task, this.sla));
    }
    // The rung hears about it on its channels; a rung without any is unreachable: the next one now.
    const notice = await this.followUps?.escalationNotice(m, followUpOf(task), {
      level: to as 'manager' | 'operations',
      assigneeId,
      reason,
      quietHoursOverridden: decision.quietHoursOverridden,
      at: now,
    });
    if (notice?.unreachable && to === 'manager' && task.state === 'open') {
      this.metrics.escalated(to, reason);
      this.log.warn({ ...ids, level: to, assigneeId }, 'manager has no channel; escalating on');
      return this.escalate(m, taskId, 'unreachable');
    }
    this.metrics.escalated(to, reason);
    this.log.warn(
      { ...ids, level: to, assigneeId, quietHoursOverridden: decision.quietHoursOverridden },
      'outreach task escalated',
    );
    return 'escalate';
  }

  /**
   * Who answers at the rung: the property's manager, or operations' shared queue (no assignee) —
   * also when the property has no manager, rather than a rung nobody stands on.
   */
  private async rung(
    m: EntityManager,
    task: ActionableTask,
    level: EscalationLevel,
    now: Date,
    timeZone: string,
  ): Promise<{ level: EscalationLevel; assigneeId: string | null }> {
    if (level !== 'manager') return { level, assigneeId: null };
    const manager = pickEscalationManager(await this.directory.dutyRota(m, task.propertyId), now, timeZone);
    return manager ? { level, assigneeId: manager.staffId } : { level: 'operations', assigneeId: null };
  }
}
