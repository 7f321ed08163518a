import { Inject, Injectable, Optional } from '@nestjs/common';
import { documentTypeFromContract, type common } from '@portico/contracts';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { AddressRule } from '../directory/address-match';
import { FollowUpMessages, type CaseEnd, type HoldPredictedInput } from '../messages/follow-up-messages';
import type { ParcelProjection } from '../parcels/parcel-projection';
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
   * CaseExpired / CaseReturnedToSender / CaseCancelled: the resident's notice that the case ended
   * without clearing, once per case and end (the case's tasks were closed just before).
   */
  async onCaseEndedUncleared(m: EntityManager, e: { caseId: string; end: CaseEnd }): Promise<string | null> {
    const task = await this.tasks.latestDocumentsTaskOfCase(m, e.caseId, false);
    if (!task) return null;
    const id = await this.followUps?.caseEnded(m, followUpOf(task), e.end);
    if (id)
      this.log.info(
        { caseId: e.caseId, parcelId: task.parcelId, messageId: id, end: e.end },
        'case-ended notice queued',
      );
    return id ?? null;
  }

  /**
   * HoldPredicted: a heads-up to the parcel's resident, once per parcel. The parcel must be
   * projected and resolve to a resident; an unresolved parcel gets nothing (nobody to tell yet,
   * and guessing would tell the wrong person). The resolution is not stored: the documents request
   * stores it, with its event, when the hold happens.
   */
  async onHoldPredicted(m: EntityManager, e: HoldPredictedNotice): Promise<string | null> {
    const [id] = await this.onHoldPredictedMany(m, [e]);
    return id ?? null;
  }

  /**
   * onHoldPredicted for a batch (clearance predicts holds for many scans: at 1,000 webhooks/s
   * thousands a minute, most of them for parcels nobody here knows or can match). Per run, with
   * one statement each: the parcels of each tenant read and locked, their resolutions
   * (RecipientResolver.resolveMany), and the heads-ups queued (FollowUpMessages.holdPredictedMany);
   * only the resolved parcels' reachability checks stay per event, each in its own event's trace
   * (`inTrace`), so a message row carries the parcel's trace. One log line for the run's
   * unprojected and unmatched parcels (a line per event was most of the log volume).
   * @returns the queued message id (or null) of each event, in order.
   */
  async onHoldPredictedMany(
    m: EntityManager,
    batch: readonly HoldPredictedNotice[],
  ): Promise<Array<string | null>> {
    const byTenant = new Map<string, string[]>();
    for (const e of batch) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e.parcel.parcelId]);
    const projections = new Map<string, ParcelProjection>();
    for (const [tenantId, parcelIds] of byTenant) {
      for (const [parcelId, parcel] of await this.parcels.findManyForUpdate(m, tenantId, parcelIds)) {
        projections.set(`${tenantId}\u001f${parcelId}`, parcel);
      }
    }
    const projected = batch.flatMap((e, index) => {
      const parcel = projections.get(`${e.tenantId}\u001f${e.parcel.parcelId}`);
      return parcel ? [{ e, parcel, index }] : [];
    });
    const resolutions = await this.resolver.resolveMany(
      m,
      projected.map((p) => p.parcel),
    );
    const unmatched: Record<string, number> = {};
    const inputs: HoldPredictedInput[] = [];
    const indexOf: number[] = []; // input -> its event's place in the batch
    const rules: Array<AddressRule | null> = []; // input -> how its address matched
    for (const [i, { e, index }] of projected.entries()) {
      const resolution = resolutions[i]!;
      if (resolution.kind !== 'resolved') {
        unmatched[resolution.reason] = (unmatched[resolution.reason] ?? 0) + 1;
        continue;
      }
      indexOf.push(index);
      rules.push(resolution.addressRule);
      inputs.push({
        tenantId: e.tenantId,
        propertyId: resolution.propertyId,
        residentId: resolution.residentId,
        parcel: e.parcel,
        documents: e.documents.map(documentTypeFromContract).filter((d): d is NonNullable<typeof d> => !!d),
        inTrace: e.inTrace,
      });
    }
    const queued = (await this.followUps?.holdPredictedMany(m, inputs)) ?? inputs.map(() => null);
    for (const [i, input] of inputs.entries()) {
      const id = queued[i];
      if (!id) continue;
      const run = input.inTrace ?? ((work) => work());
      await run(() =>
        Promise.resolve(
          this.log.info(
            {
              parcelId: input.parcel.parcelId,
              propertyId: input.propertyId,
              messageId: id,
              addressRule: rules[i] ?? null,
            },
            'hold heads-up queued',
          ),
        ),
      );
    }
    const notProjected = batch.length - projected.length;
    // one line for the run: at full load most predictions are for parcels not projected or matched here
    if (notProjected > 0) {
      this.log.info(
        { events: batch.length, notProjected },
        'holds predicted for parcels not projected yet; no heads-up',
      );
    }
    if (Object.keys(unmatched).length > 0) {
      this.log.info(
        { events: batch.length, unmatched },
        'hold predicted for an unmatched parcel; no heads-up',
      );
    }
    const ids: Array<string | null> = batch.map(() => null);
    indexOf.forEach((index, i) => (ids[index] = queued[i] ?? null));
    return ids;
  }
}

/** One HoldPredicted, as the consumer maps it. */
export interface HoldPredictedNotice {
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly documents: readonly common.DocumentType[];
  /** Runs work in the event's own trace (given by a batch handler). */
  readonly inTrace?: <T>(work: () => Promise<T>) => Promise<T>;
}
