import { Inject, Injectable, Optional } from '@nestjs/common';
import { documentTypeFromContract, type common } from '@portico/contracts';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { FollowUpMessages } from '../messages/follow-up-messages';
import { ParcelsRepository } from '../parcels/parcels.repository';
import { RecipientResolver } from '../parcels/recipient-resolver';
import { CLOCK, type Clock } from '../shared/tokens';
import type { ParcelIdentity } from './outreach-events';
import { followUpOf, TaskActionsRepository } from './task-actions.repository';

/** Clearance's trigger of a CaseCleared, as the closing notice words it. */
export type ClearedTrigger = 'customs_released' | 'out_for_delivery' | 'delivered' | 'operator';

/**
 * Case events that reach the resident without a new task: clearance's reminder before the deadline
 * (its own durable timers — notification keeps none for it), the hold predicted for a parcel in
 * transit, and the closing notice when the case clears. Each runs in the consumer's transaction,
 * and each message has a dedupe key per case (or parcel), kind and round, so a redelivered event
 * queues nothing more. Also marks a round's documents as received (request-reupload then defers
 * to id-vault's review).
 */
@Injectable()
export class ResidentNoticesService {
  private readonly log: Logger;

  constructor(
    private readonly tasks: TaskActionsRepository,
    private readonly parcels: ParcelsRepository,
    private readonly resolver: RecipientResolver,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) root: Logger,
    @Optional() private readonly followUps?: FollowUpMessages,
  ) {
    this.log = root.child({ component: 'outreach' });
  }

  async onDocumentsReceived(m: EntityManager, e: { caseId: string; round: number }): Promise<void> {
    const marked = await this.tasks.markDocumentsReceived(m, e.caseId, Math.max(1, e.round), this.clock());
    if (marked > 0) this.log.info({ caseId: e.caseId, round: e.round }, 'documents received for the task');
  }

  /** ResidentReminderDue: one reminder per case, round and lead time, for the round's open task. */
  async onReminderDue(m: EntityManager, e: { caseId: string; leadSeconds: number }): Promise<string | null> {
    const task = await this.tasks.latestDocumentsTaskOfCase(m, e.caseId, true);
    if (!task) {
      this.log.info({ caseId: e.caseId }, 'reminder due without an open documents task; nothing to send');
      return null;
    }
    // The resident has uploaded this round: nothing to remind them of (clearance pauses too).
    if (task.documentsReceivedAt) return null;
    const id = await this.followUps?.reminder(m, { ...followUpOf(task), round: task.round }, e.leadSeconds);
    this.log.info(
      {
        caseId: e.caseId,
        taskId: task.id,
        parcelId: task.parcelId,
        leadSeconds: e.leadSeconds,
        messageId: id ?? null,
      },
      id ? 'resident reminder queued' : 'resident reminder not queued (policy, consent, or already queued)',
    );
    return id ?? null;
  }

  /** CaseCleared: the closing notice, once per case (the case's tasks were closed just before). */
  async onCaseCleared(
    m: EntityManager,
    e: { caseId: string; trigger: ClearedTrigger },
  ): Promise<string | null> {
    const task = await this.tasks.latestDocumentsTaskOfCase(m, e.caseId, false);
    if (!task) return null;
    const id = await this.followUps?.caseCleared(m, followUpOf(task), e.trigger);
    if (id)
      this.log.info({ caseId: e.caseId, parcelId: task.parcelId, messageId: id }, 'closing notice queued');
    return id ?? null;
  }

  /**
   * HoldPredicted: a heads-up to the parcel's resident, once per parcel. The parcel must be
   * projected and resolve to a resident; an unresolved parcel gets nothing (nobody to tell yet,
   * and guessing would tell the wrong person). The resolution is not stored: the documents request
   * stores it, with its event, when the hold happens.
   */
  async onHoldPredicted(
    m: EntityManager,
    e: { tenantId: string; parcel: ParcelIdentity; documents: readonly common.DocumentType[] },
  ): Promise<string | null> {
    const ids = { parcelId: e.parcel.parcelId };
    const parcel = await this.parcels.findForUpdate(m, e.tenantId, e.parcel.parcelId);
    if (!parcel) {
      this.log.info(ids, 'hold predicted for a parcel not projected yet; no heads-up');
      return null;
    }
    const resolution = await this.resolver.resolve(m, parcel);
    if (resolution.kind !== 'resolved') {
      this.log.info(
        { ...ids, reason: resolution.reason },
        'hold predicted for an unmatched parcel; no heads-up',
      );
      return null;
    }
    const id = await this.followUps?.holdPredicted(m, {
      tenantId: e.tenantId,
      propertyId: resolution.propertyId,
      residentId: resolution.residentId,
      parcel: e.parcel,
      documents: e.documents.map(documentTypeFromContract).filter((d): d is NonNullable<typeof d> => !!d),
    });
    if (id)
      this.log.info({ ...ids, propertyId: resolution.propertyId, messageId: id }, 'hold heads-up queued');
    return id ?? null;
  }
}
