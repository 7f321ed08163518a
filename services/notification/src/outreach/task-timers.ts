import { Injectable } from '@nestjs/common';
import { TimerScheduler } from '@portico/timers';
import type { EntityManager } from 'typeorm';

/** Timer kinds of outreach tasks (registered by EscalationService). */
export const TASK_TIMER = {
  /** The assignee's acknowledgement time ran out: call the next rung. */
  ackSla: 'outreach-ack-sla',
  /** The case deadline is close and the task is still not done. */
  deadlineRisk: 'outreach-deadline-risk',
} as const;

export interface TaskTimerPayload {
  readonly taskId: string;
}

const keyOf = (taskId: string, what: 'ack' | 'risk') => `outreach-task:${taskId}:${what}`;

/**
 * Schedules and cancels a task's durable timers, always in the transaction that changes the task,
 * so a task and its timers never disagree after a crash.
 */
@Injectable()
export class TaskTimers {
  private readonly scheduler = new TimerScheduler();

  async scheduleAckSla(m: EntityManager, taskId: string, dueAt: Date): Promise<void> {
    await this.scheduler.schedule<TaskTimerPayload>(m, {
      key: keyOf(taskId, 'ack'),
      kind: TASK_TIMER.ackSla,
      dueAt,
      payload: { taskId },
    });
  }

  /** A new task's acknowledgement SLA and (with a deadline) deadline-risk timers, in one statement. */
  async scheduleForNewTask(
    m: EntityManager,
    taskId: string,
    ackDueAt: Date,
    riskAt: Date | null,
  ): Promise<void> {
    await this.scheduler.scheduleMany<TaskTimerPayload>(m, [
      { key: keyOf(taskId, 'ack'), kind: TASK_TIMER.ackSla, dueAt: ackDueAt, payload: { taskId } },
      ...(riskAt
        ? [{ key: keyOf(taskId, 'risk'), kind: TASK_TIMER.deadlineRisk, dueAt: riskAt, payload: { taskId } }]
        : []),
    ]);
  }

  async scheduleDeadlineRisk(m: EntityManager, taskId: string, at: Date): Promise<void> {
    await this.scheduler.schedule<TaskTimerPayload>(m, {
      key: keyOf(taskId, 'risk'),
      kind: TASK_TIMER.deadlineRisk,
      dueAt: at,
      payload: { taskId },
    });
  }

  async cancelAckSla(m: EntityManager, taskId: string): Promise<void> {
    await this.scheduler.cancel(m, keyOf(taskId, 'ack'));
  }

  /** Every timer of the tasks (they closed). */
  async cancelAll(m: EntityManager, taskIds: readonly string[]): Promise<void> {
    for (const id of taskIds) await this.scheduler.cancelByPrefix(m, `outreach-task:${id}:`);
  }
}
