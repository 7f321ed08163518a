import { Inject, Injectable, Optional } from '@nestjs/common';
import { documentTypeFromContract, rejectionReasonFromContract, type common } from '@portico/contracts';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { ChannelRegistry } from '../channels/channel-registry';
import type { OutreachTask } from '../outreach/outreach-task';
import type { NotificationConfig } from '../config';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';
import { ContactBook } from './contact-book';
import { taskNoticeNotBefore } from './follow-up-rules';
import { reachabilityOf, residentPlan, staffPlan } from './message-rules';
import { MessageOutbox } from './message-outbox';
import { RESIDENT_DOCUMENTS_REQUESTED, RESIDENT_REUPLOAD_REQUESTED, STEWARD_NEW_TASK } from './templates';
import { UploadLinkIssuer, NoUploadLinks } from './upload-links';

export interface TaskCreatedInput {
  readonly task: OutreachTask;
  readonly documents: readonly common.DocumentType[];
  readonly rejectionReasons?: readonly common.DocumentRejectionReason[];
  /**
   * Hold the messages until then. Without it they wait for the end of the property's quiet hours
   * unless the deadline cannot wait (`taskNoticeNotBefore`).
   */
  readonly notBefore?: Date;
}

/**
 * The messages an outreach task causes, queued in the task's own transaction: a notice to the
 * assigned steward on their channel, and (documents tasks, property policy `direct`, resident
 * consent, id-vault configured) the resident's message with the one-time upload link. Both wait
 * for the end of the property's quiet hours unless the deadline cannot wait; the escalation then
 * counts the steward's acknowledgement time from when the notice goes (EscalationService).
 */
@Injectable()
export class TaskMessages {
  private readonly log: Logger;

  constructor(
    private readonly outbox: MessageOutbox,
    private readonly contacts: ContactBook,
    private readonly channels: ChannelRegistry,
    private readonly uploadLinks: UploadLinkIssuer,
    @Inject(ROOT_LOGGER) root: Logger,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = () => new Date(),
    @Optional()
    @Inject(NOTIFICATION_CONFIG)
    private readonly sla?: Pick<
      NotificationConfig,
      'outreachEscalationStepMs' | 'outreachExpeditedEscalationStepMs'
    >,
  ) {
    this.log = root.child({ component: 'messages' });
  }

  /** Until when the task's first messages wait (quiet hours), or undefined for now. */
  private async holdUntil(m: EntityManager, task: OutreachTask): Promise<Date | undefined> {
    const property = await this.contacts.property(m, task.propertyId);
    if (!property?.quietHours) return undefined;
    return taskNoticeNotBefore({
      now: this.clock(),
      quietHours: property.quietHours,
      timeZone: property.timeZone,
      deadline: task.deadline,
      expedited: task.expedited,
      stepMs: this.sla?.outreachEscalationStepMs ?? 3_600_000,
      expeditedStepMs: this.sla?.outreachExpeditedEscalationStepMs ?? 900_000,
    });
  }

  async onTaskCreated(m: EntityManager, input: TaskCreatedInput): Promise<string[]> {
    const { task } = input;
    const queued: string[] = [];
    const enabled = (k: Parameters<ChannelRegistry['enabled']>[0]) => this.channels.enabled(k);
    const base = {
      tenantId: task.tenantId,
      propertyId: task.propertyId,
      taskId: task.id,
      caseId: task.caseId,
      parcel: { parcelId: task.parcelId, carrierCode: task.carrierCode, trackingNumber: task.trackingNumber },
      notBefore: input.notBefore ?? (await this.holdUntil(m, task)),
    };
    if (base.notBefore)
      this.log.info(
        { taskId: task.id, parcelId: task.parcelId, until: base.notBefore.toISOString() },
        'task messages held for quiet hours',
      );
    const deadline = task.deadline ? task.deadline.toISOString() : null;

    if (task.stewardId) {
      const steward = await this.contacts.staff(m, task.stewardId);
      const plan = steward ? staffPlan(steward.channel, enabled) : [];
      const id = await this.outbox.enqueue(m, {
        ...base,
        dedupeKey: `task:${task.id}:steward:${task.stewardId}`,
        recipient: { role: 'steward', id: task.stewardId },
        template: STEWARD_NEW_TASK,
        language: steward?.language ?? 'zh',
        variables: {
          taskId: task.id,
          taskKind: task.kind,
          carrierCode: task.carrierCode,
          trackingNumber: task.trackingNumber,
          deadline,
          expedited: task.expedited,
        },
        channelPlan: plan,
      });
      if (id) queued.push(id);
      else if (plan.length === 0)
        this.log.warn({ taskId: task.id, stewardId: task.stewardId }, 'steward has no enabled channel');
    }

    const documentsTask = task.kind === 'documents_requested' || task.kind === 'reupload_requested';
    if (documentsTask && task.residentId && task.caseId && !(this.uploadLinks instanceof NoUploadLinks)) {
      const property = await this.contacts.property(m, task.propertyId);
      if (property?.residentOutreach === 'direct') {
        const resident = await this.contacts.resident(m, task.residentId);
        const plan = resident ? residentPlan(reachabilityOf(resident), enabled) : [];
        const template =
          task.kind === 'reupload_requested' ? RESIDENT_REUPLOAD_REQUESTED : RESIDENT_DOCUMENTS_REQUESTED;
        const id = await this.outbox.enqueue(m, {
          ...base,
          dedupeKey: `task:${task.id}:resident:${task.residentId}`,
          recipient: { role: 'resident', id: task.residentId },
          template,
          language: resident?.language ?? property.defaultLanguage,
          variables: {
            carrierCode: task.carrierCode,
            trackingNumber: task.trackingNumber,
            documents: input.documents
              .map(documentTypeFromContract)
              .filter((d): d is NonNullable<typeof d> => !!d),
            deadline,
            rejectionReasons: (input.rejectionReasons ?? []).map(rejectionReasonFromContract),
          },
          channelPlan: plan,
        });
        if (id) queued.push(id);
        else if (plan.length === 0)
          this.log.info(
            { taskId: task.id, residentId: task.residentId },
            'resident has no consented channel; steward only',
          );
      }
    }
    return queued;
  }
}
