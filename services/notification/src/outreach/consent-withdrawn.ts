import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { DirectoryHooks, type ConsentWithdrawal } from '../directory/consent-changes';
import { FollowUpMessages } from '../messages/follow-up-messages';
import { OutreachMetrics } from './outreach.metrics';
import { followUpOf, TaskActionsRepository } from './task-actions.repository';

/**
 * A resident withdrew consent to a channel (directory import or roster change) while tasks for
 * them are active. In the directory write's transaction: each active task records a
 * `consent_withdrawn` action (no actor; the channels as its reason), and the task's assignee gets
 * `steward-consent-withdrawn@1` at once, so they reach the resident another way. The resident's own
 * queued messages need nothing here: the worker checks consent at send time and fails over
 * (CONSENT_WITHDRAWN). An unchanged re-import withdraws nothing (consent was already off).
 */
@Injectable()
export class ConsentWithdrawnHandler implements OnModuleInit {
  private readonly log: Logger;

  constructor(
    private readonly hooks: DirectoryHooks,
    private readonly tasks: TaskActionsRepository,
    private readonly metrics: OutreachMetrics,
    @Inject(ROOT_LOGGER) root: Logger,
    @Optional() private readonly followUps?: FollowUpMessages,
  ) {
    this.log = root.child({ component: 'outreach' });
  }

  onModuleInit(): void {
    this.hooks.onConsentWithdrawn((m, tenantId, withdrawals, at) =>
      this.onWithdrawn(m, tenantId, withdrawals, at),
    );
  }

  async onWithdrawn(
    m: EntityManager,
    tenantId: string,
    withdrawals: readonly ConsentWithdrawal[],
    at: Date,
  ): Promise<void> {
    const byResident = new Map(withdrawals.map((w) => [w.residentId, w.channels]));
    const active = await this.tasks.activeTasksOfResidents(m, tenantId, [...byResident.keys()]);
    for (const task of active) {
      const channels = byResident.get(task.residentId ?? '') ?? [];
      const { repeated } = await this.tasks.record(m, {
        taskId: task.id,
        tenantId: task.tenantId,
        propertyId: task.propertyId,
        action: 'consent_withdrawn',
        actorId: null,
        reason: channels.join(','),
        idempotencyKey: `consent-withdrawn:${at.getTime()}`,
        occurredAt: at,
      });
      if (repeated) continue;
      this.metrics.action('consent_withdrawn');
      const role =
        task.escalationLevel === 'steward'
          ? 'steward'
          : task.escalationLevel === 'manager'
            ? 'manager'
            : null;
      const messageId = await this.followUps?.consentWithdrawn(
        m,
        { ...followUpOf(task), assigneeId: task.assigneeId, assigneeRole: role },
        channels,
        at,
      );
      this.log.info(
        {
          taskId: task.id,
          parcelId: task.parcelId,
          caseId: task.caseId,
          residentId: task.residentId,
          channels,
          assigneeId: task.assigneeId,
          messageId: messageId ?? null,
        },
        'resident withdrew consent during an active task',
      );
    }
  }
}
