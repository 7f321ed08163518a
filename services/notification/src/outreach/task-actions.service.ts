import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { canAccessTenant, type PersonPrincipal } from '@portico/auth';
import { OutboxWriter } from '@portico/messaging';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import type { OutreachEvent } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';
import {
  residentContacted,
  taskAcknowledged,
  taskReassigned,
  toOutbox,
  type ContactChannel,
} from './outreach-events';
import { ackDueAt, type AckSla } from './outreach-task';
import { OutreachMetrics } from './outreach.metrics';
import { DocumentsInReviewError } from '../messages/follow-up-errors';
import { FollowUpMessages, type QueuedFollowUp } from '../messages/follow-up-messages';
import type { ReuploadReason } from '../messages/follow-up-rules';
import type { ResidentChannel } from '../messages/message-rules';
import {
  NotAColleagueError,
  SameAssigneeError,
  TaskClosedError,
  TaskHasNoResidentError,
  TaskNotFoundError,
} from './task-action-errors';
import {
  followUpOf,
  TaskActionsRepository,
  type ActionableTask,
  type RecordedAction,
} from './task-actions.repository';
import { TaskTimers } from './task-timers';

/** What an action answers: the task as it now stands and the action recorded (null when nothing changed). */
export interface ActionResult {
  readonly task: TaskStatusView;
  readonly action: ActionView | null;
  /** resend / request-reupload: the message queued for the resident. */
  readonly messageId?: string;
}

export interface TaskStatusView {
  id: string;
  state: string;
  escalationLevel: string;
  assigneeId: string | null;
  stewardId: string | null;
  ackDueAt: string;
  acknowledgedAt: string | null;
}

export interface ActionView {
  id: string;
  action: string;
  actorId: string | null;
  channel: string | null;
  fromUserId: string | null;
  toUserId: string | null;
  level: string | null;
  reason: string | null;
  occurredAt: string;
}

/**
 * The steward's actions on a task (acknowledge, mark contacted, hand over), each one transaction:
 * the task row (locked), the timestamped action row, the outreach event on the outbox and the
 * timer change commit together. People act as their token's subject, which is their staff id in
 * the directory.
 */
@Injectable()
export class TaskActionsService {
  private readonly log: Logger;
  private readonly sla: AckSla;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tasks: TaskActionsRepository,
    private readonly timers: TaskTimers,
    private readonly outbox: OutboxWriter,
    private readonly metrics: OutreachMetrics,
    private readonly followUps: FollowUpMessages,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_CONFIG)
    config: Pick<NotificationConfig, 'outreachAckSlaMs' | 'outreachExpeditedAckSlaMs'>,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'outreach-actions' });
    this.sla = { normalMs: config.outreachAckSlaMs, expeditedMs: config.outreachExpeditedAckSlaMs };
  }

  /** Takes the task: stops the escalation clock. Acknowledging twice changes nothing. */
  acknowledge(caller: PersonPrincipal, taskId: string): Promise<ActionResult> {
    return this.uow.transaction(async (m) => {
      // Timer first, then the task row: the same lock order as a firing timer (no deadlock).
      await this.timers.cancelAckSla(m, taskId);
      const task = await this.lockVisible(m, caller, taskId);
      if (task.state !== 'open') return { task: statusOf(task), action: null };
      const now = this.clock();
      const action = await this.recordAcknowledgement(m, caller, task, now);
      return { task: statusOf(await this.relock(m, taskId)), action: viewOf(action) };
    });
  }

  /**
   * The steward reached the resident outside Portico (phone, chat, at the door) or by a channel of
   * their own. Contacting implies having taken the task, so an open task is acknowledged too.
   */
  markContacted(
    caller: PersonPrincipal,
    taskId: string,
    channel: ContactChannel,
    idempotencyKey: string | null,
  ): Promise<ActionResult> {
    return this.uow.transaction(async (m) => {
      await this.timers.cancelAckSla(m, taskId);
      const task = await this.lockVisible(m, caller, taskId);
      if (task.state === 'closed') throw new TaskClosedError(taskId);
      if (!task.residentId) throw new TaskHasNoResidentError(taskId);
      const now = this.clock();
      const { action, repeated } = await this.tasks.record(m, {
        taskId,
        tenantId: task.tenantId,
        propertyId: task.propertyId,
        action: 'contacted',
        actorId: caller.subject,
        channel,
        idempotencyKey,
        occurredAt: now,
      });
      if (repeated) return { task: statusOf(task), action: viewOf(action) };
      const events: OutreachEvent[] = [];
      if (task.state === 'open') await this.recordAcknowledgement(m, caller, task, now);
      events.push(
        residentContacted(task, { stewardId: caller.subject, residentId: task.residentId, channel, at: now }),
      );
      await this.outbox.appendMany(
        m,
        events.map((e) => toOutbox(task.tenantId, task.parcelId, e)),
      );
      this.metrics.action('contacted');
      this.log.info({ ...idsOf(task), actorId: caller.subject, channel }, 'resident contacted');
      return { task: statusOf(await this.relock(m, taskId)), action: viewOf(action) };
    });
  }

  /**
   * Hands the task to a steward or manager of the same property. A task still open gets a fresh
   * acknowledgement time for the colleague, and the ladder starts again from the steward rung.
   */
  handOver(
    caller: PersonPrincipal,
    taskId: string,
    toStaffId: string,
    idempotencyKey: string | null,
  ): Promise<ActionResult> {
    return this.uow.transaction(async (m) => {
      await this.timers.cancelAckSla(m, taskId);
      const task = await this.lockVisible(m, caller, taskId);
      if (task.state === 'closed') throw new TaskClosedError(taskId);
      if (!(await this.tasks.colleagueRole(m, toStaffId, task))) throw new NotAColleagueError(toStaffId);
      const now = this.clock();
      const { action, repeated } = await this.tasks.record(m, {
        taskId,
        tenantId: task.tenantId,
        propertyId: task.propertyId,
        action: 'handed_over',
        actorId: caller.subject,
        fromUserId: task.assigneeId,
        toUserId: toStaffId,
        idempotencyKey,
        occurredAt: now,
      });
      if (repeated) {
        if (task.state === 'open') await this.timers.scheduleAckSla(m, taskId, task.ackDueAt);
        return { task: statusOf(task), action: viewOf(action) };
      }
      if (task.assigneeId === toStaffId && task.escalationLevel === 'steward') throw new SameAssigneeError();
      const due = task.state === 'open' ? ackDueAt(now, task, this.sla) : null;
      await this.tasks.handOver(m, taskId, toStaffId, due);
      if (due) await this.timers.scheduleAckSla(m, taskId, due);
      await this.outbox.append(
        m,
        toOutbox(
          task.tenantId,
          task.parcelId,
          taskReassigned(task, { fromUserId: task.assigneeId, toUserId: toStaffId, at: now }),
        ),
      );
      this.metrics.action('handed_over');
      this.log.info(
        { ...idsOf(task), actorId: caller.subject, fromUserId: task.assigneeId, toUserId: toStaffId },
        'outreach task handed over',
      );
      return { task: statusOf(await this.relock(m, taskId)), action: viewOf(action) };
    });
  }

  /**
   * Sends the resident's message for the task again (same template and variables, a working
   * upload link), on `channel` first or the resident's own order. Like a contact, it means the
   * caller took the task: an open task is acknowledged too.
   */
  resend(
    caller: PersonPrincipal,
    taskId: string,
    channel: ResidentChannel | null,
    idempotencyKey: string | null,
  ): Promise<ActionResult> {
    return this.followUp(caller, taskId, idempotencyKey, 'resent', null, (m, task, actionId) =>
      this.followUps.resend(m, followUpOf(task), channel, actionId),
    );
  }

  /**
   * Asks the resident for new photos with the reason's precise advice and the steward's note (the
   * note is neither logged nor recorded on the action). Only while nothing of this round is in
   * id-vault: once it is, the verdict is the vault review's (reject with the reason), which makes
   * clearance ask the resident again.
   */
  requestReupload(
    caller: PersonPrincipal,
    taskId: string,
    request: { reason: ReuploadReason; note: string | null },
    idempotencyKey: string | null,
  ): Promise<ActionResult> {
    return this.followUp(
      caller,
      taskId,
      idempotencyKey,
      'reupload_requested',
      request.reason,
      (m, task, actionId) => {
        if (task.documentsReceivedAt) throw new DocumentsInReviewError(task.id);
        return this.followUps.requestReupload(m, followUpOf(task), request, actionId);
      },
    );
  }

  /**
   * One steward follow-up in one transaction: the action row first (a repeated key returns the
   * first answer and queues nothing), then the message (any refusal rolls the action back), the
   * acknowledgement of an open task, the channel on the action row.
   */
  private followUp(
    caller: PersonPrincipal,
    taskId: string,
    idempotencyKey: string | null,
    kind: 'resent' | 'reupload_requested',
    reason: string | null,
    queue: (m: EntityManager, task: ActionableTask, actionId: string) => Promise<QueuedFollowUp>,
  ): Promise<ActionResult> {
    return this.uow.transaction(async (m) => {
      await this.timers.cancelAckSla(m, taskId);
      const task = await this.lockVisible(m, caller, taskId);
      if (task.state === 'closed') throw new TaskClosedError(taskId);
      if (!task.residentId || !task.caseId) throw new TaskHasNoResidentError(taskId);
      const now = this.clock();
      const { action, repeated } = await this.tasks.record(m, {
        taskId,
        tenantId: task.tenantId,
        propertyId: task.propertyId,
        action: kind,
        actorId: caller.subject,
        reason,
        idempotencyKey,
        occurredAt: now,
      });
      if (repeated) {
        if (task.state === 'open') await this.timers.scheduleAckSla(m, taskId, task.ackDueAt);
        const messageId = await this.followUps.messageOfAction(m, taskId, action.id);
        return { task: statusOf(task), action: viewOf(action), ...(messageId ? { messageId } : {}) };
      }
      const queued = await queue(m, task, action.id);
      trace.getActiveSpan()?.setAttribute('portico.message_id', queued.messageId);
      const recorded = await this.tasks.setActionChannel(m, action.id, queued.channel);
      if (task.state === 'open') await this.recordAcknowledgement(m, caller, task, now);
      this.metrics.action(kind);
      this.log.info(
        {
          ...idsOf(task),
          actorId: caller.subject,
          messageId: queued.messageId,
          channel: queued.channel,
          reason,
        },
        kind === 'resent' ? 'resident message resent' : 'resident asked to upload again',
      );
      return {
        task: statusOf(await this.relock(m, taskId)),
        action: viewOf(recorded),
        messageId: queued.messageId,
      };
    });
  }

  /** The task's timeline of actions, oldest first. */
  history(caller: PersonPrincipal, taskId: string): Promise<ActionView[]> {
    return this.uow.transaction(async (m) => {
      await this.lockVisible(m, caller, taskId);
      return (await this.tasks.actions(m, taskId)).map(viewOf);
    });
  }

  private async recordAcknowledgement(
    m: EntityManager,
    caller: PersonPrincipal,
    task: ActionableTask,
    now: Date,
  ): Promise<RecordedAction> {
    await this.tasks.acknowledge(m, task.id, caller.subject, now);
    const { action } = await this.tasks.record(m, {
      taskId: task.id,
      tenantId: task.tenantId,
      propertyId: task.propertyId,
      action: 'acknowledged',
      actorId: caller.subject,
      level: task.escalationLevel,
      occurredAt: now,
    });
    await this.outbox.append(
      m,
      toOutbox(
        task.tenantId,
        task.parcelId,
        taskAcknowledged(task, { userId: caller.subject, level: task.escalationLevel, at: now }),
      ),
    );
    this.metrics.action('acknowledged');
    this.metrics.acknowledged(task.kind, (now.getTime() - task.createdAt.getTime()) / 1000);
    this.log.info(
      { ...idsOf(task), actorId: caller.subject, level: task.escalationLevel },
      'outreach task acknowledged',
    );
    return action;
  }

  private async lockVisible(
    m: EntityManager,
    caller: PersonPrincipal,
    taskId: string,
  ): Promise<ActionableTask> {
    const task = await this.tasks.lock(m, taskId);
    if (!task || !canAccessTenant(caller, { tenantId: task.tenantId, propertyId: task.propertyId })) {
      throw new TaskNotFoundError(taskId);
    }
    return task;
  }

  private async relock(m: EntityManager, taskId: string): Promise<ActionableTask> {
    return (await this.tasks.lock(m, taskId)) as ActionableTask;
  }
}

function idsOf(task: ActionableTask) {
  return { taskId: task.id, propertyId: task.propertyId, caseId: task.caseId, parcelId: task.parcelId };
}

function statusOf(task: ActionableTask): TaskStatusView {
  return {
    id: task.id,
    state: task.state,
    escalationLevel: task.escalationLevel,
    assigneeId: task.assigneeId,
    stewardId: task.stewardId,
    ackDueAt: task.ackDueAt.toISOString(),
    acknowledgedAt: task.acknowledgedAt?.toISOString() ?? null,
  };
}

function viewOf(a: RecordedAction): ActionView {
  return {
    id: a.id,
    action: a.action,
    actorId: a.actorId,
    channel: a.channel ?? null,
    fromUserId: a.fromUserId ?? null,
    toUserId: a.toUserId ?? null,
    level: a.level ?? null,
    reason: a.reason ?? null,
    occurredAt: a.occurredAt.toISOString(),
  };
}
