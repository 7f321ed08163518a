import { Inject, Injectable } from '@nestjs/common';
import type { common, OutreachEvent } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import type { AddressRule } from '../directory/address-match';
import { DirectoryRepository } from '../directory/directory.repository';
import type { PropertyRecord } from '../directory/directory.types';
import { pickOnDutySteward } from '../directory/duty-rota';
import { ParcelNotProjectedYetError } from '../parcels/parcel-errors';
import type { ParcelProjection } from '../parcels/parcel-projection';
import { ParcelsRepository } from '../parcels/parcels.repository';
import { RecipientResolver } from '../parcels/recipient-resolver';
import { TaskMessages } from '../messages/task-messages';
import { CLOCK, ID_GENERATOR, NOTIFICATION_CONFIG, type Clock, type IdGenerator } from '../shared/tokens';
import { EscalationService } from './escalation.service';
import { FrontDeskRepository, type FrontDeskReason } from './front-desk.repository';
import { recipientResolved, taskClosed, taskCreated, toOutbox, type ParcelIdentity } from './outreach-events';
import {
  ackDueAt,
  documentsTaskKind,
  type AckSla,
  type CloseResolution,
  type OutreachTask,
} from './outreach-task';
import { OutreachMetrics } from './outreach.metrics';
import { OutreachRepository } from './outreach.repository';
import { TaskTimers } from './task-timers';
import { DOCUMENTS_REQUESTED_TEMPLATE, renderBoth, UNMATCHED_PARCEL_TEMPLATE } from './templates';

/** A clearance case asks the resident for documents (DocumentsRequested, decoded). */
export interface DocumentsRequestedCommand {
  readonly tenantId: string;
  readonly caseId: string;
  readonly parcel: ParcelIdentity;
  readonly round: number;
  readonly deadline: Date | null;
  readonly expedited: boolean;
  readonly documents: readonly common.DocumentType[];
  /** On a re-request: why the previous documents were rejected (the resident's message names it). */
  readonly previousRejectionReasons?: readonly common.DocumentRejectionReason[];
  /** Failed attempts before this one (the transport's retry count). */
  readonly previousFailures: number;
}

/**
 * How many times a documents request waits for its parcel's tracking event (with the default
 * back-off 1 s, 10 s, 1 min, 10 min: about 11 minutes) before the parcel goes to the front desk.
 * Tracking events normally arrive within milliseconds; a case opened from a front-desk report has
 * none at all, and dead-lettering it would need an operator for a normal situation.
 */
export const MAX_WAITS_FOR_TRACKING = 4;

/** A case reached a state that makes its open tasks pointless. */
export interface CaseEndedCommand {
  readonly caseId: string;
  readonly parcelId: string;
  readonly resolution: Extract<CloseResolution, 'case_advanced' | 'case_ended'>;
}

export type DocumentsRequestedOutcome =
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'task_created'; readonly taskId: string }
  | { readonly outcome: 'unmatched'; readonly reason: FrontDeskReason; readonly taskId: string | null };

/**
 * Turns clearance case events into steward tasks. Every write goes through the EntityManager the
 * consumer passes in (the transport's transaction, which also holds the inbox row), and events are
 * appended to the outbox in that same transaction.
 */
@Injectable()
export class OutreachService {
  private readonly log: Logger;
  private readonly sla: AckSla;

  constructor(
    private readonly tasks: OutreachRepository,
    private readonly frontDesk: FrontDeskRepository,
    private readonly directory: DirectoryRepository,
    private readonly parcels: ParcelsRepository,
    private readonly resolver: RecipientResolver,
    private readonly outbox: OutboxWriter,
    private readonly metrics: OutreachMetrics,
    private readonly escalation: EscalationService,
    private readonly timers: TaskTimers,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(NOTIFICATION_CONFIG)
    config: Pick<NotificationConfig, 'outreachAckSlaMs' | 'outreachExpeditedAckSlaMs'>,
    @Inject(ROOT_LOGGER) root: Logger,
    // Optional for unit specs only; Nest always injects it (MessagesModule is global).
    private readonly messages?: TaskMessages,
  ) {
    this.log = root.child({ component: 'outreach' });
    this.sla = { normalMs: config.outreachAckSlaMs, expeditedMs: config.outreachExpeditedAckSlaMs };
  }

  /**
   * Resolves the parcel to a resident and gives the property's on-duty steward a task with a
   * ready script; or queues the parcel for the front desk (with a task for the property's steward
   * when the address alone identifies the property). One task per case and round, however often
   * the event is delivered.
   *
   * @throws ParcelNotProjectedYetError when the parcel's tracking event has not been consumed yet
   *   (the transport retries the record with back-off; after MAX_WAITS_FOR_TRACKING attempts the
   *   parcel is queued for the front desk instead).
   */
  async onDocumentsRequested(
    m: EntityManager,
    cmd: DocumentsRequestedCommand,
  ): Promise<DocumentsRequestedOutcome> {
    const ids = { caseId: cmd.caseId, parcelId: cmd.parcel.parcelId, round: cmd.round };
    if (await this.tasks.existsForCaseRound(m, cmd.caseId, cmd.round)) {
      this.log.info(ids, 'documents request already has its task');
      return { outcome: 'duplicate' };
    }
    if (!(await this.directory.tenantExists(m, cmd.tenantId))) {
      // No directory, nothing to resolve against: waiting for the tracking event would not help.
      return this.unmatched(m, cmd, null, 'tenant_without_directory', null);
    }
    const parcel = await this.parcels.findForUpdate(m, cmd.tenantId, cmd.parcel.parcelId);
    if (!parcel) {
      if (cmd.previousFailures >= MAX_WAITS_FOR_TRACKING)
        return this.unmatched(m, cmd, null, 'parcel_unknown', null);
      this.log.info(ids, 'parcel not projected yet; the documents request goes to retry');
      throw new ParcelNotProjectedYetError(cmd.tenantId, cmd.parcel.parcelId);
    }

    const resolution = await this.resolver.resolve(m, parcel);
    if (resolution.kind === 'unmatched') {
      return this.unmatched(m, cmd, parcel, resolution.reason, resolution.propertyId, resolution.addressRule);
    }
    const property = await this.directory.property(m, resolution.propertyId);
    const resident = await this.directory.resident(m, resolution.residentId);
    if (!property || !resident)
      return this.unmatched(m, cmd, parcel, 'no_resident', property?.id ?? null, resolution.addressRule);

    const now = this.clock();
    const steward = pickOnDutySteward(await this.directory.dutyRota(m, property.id), now, property.timeZone);
    const kind = documentsTaskKind(cmd.round);
    const task: OutreachTask = {
      ...this.taskBase(cmd, property, now),
      kind,
      stewardId: steward?.staffId ?? null,
      residentId: resident.id,
      script: {
        ...renderBoth(DOCUMENTS_REQUESTED_TEMPLATE, {
          propertyName: property.name,
          carrierCode: cmd.parcel.carrierCode,
          trackingNumber: cmd.parcel.trackingNumber,
          documents: cmd.documents,
          deadline: cmd.deadline,
          timeZone: property.timeZone,
          reupload: kind === 'reupload_requested',
        }),
        language: resident.language,
      },
    };
    if (!(await this.tasks.insert(m, task))) return { outcome: 'duplicate' };
    await this.escalation.scheduleForNewTask(m, task, now);
    // Steward notice and (policy, consent) the resident's upload-link message, in this transaction.
    await this.messages?.onTaskCreated(m, {
      task,
      documents: cmd.documents,
      rejectionReasons: cmd.previousRejectionReasons,
    });

    const events: OutreachEvent[] = [];
    const newlyResolved = parcel.resolution === null;
    if (newlyResolved) {
      await this.parcels.markResolved(m, parcel.tenantId, parcel.parcelId, resolution, now);
      events.push(
        recipientResolved({
          tenantId: cmd.tenantId,
          parcel: cmd.parcel,
          propertyId: resolution.propertyId,
          unitId: resolution.unitId,
          residentId: resolution.residentId,
          method: resolution.method,
          at: now,
        }),
      );
    }
    events.push(taskCreated(task));
    // A new round supersedes the previous round's request.
    if (cmd.round > 1) {
      const superseded = await this.tasks.closeOpenOfCase(m, cmd.caseId, 'case_advanced', now, {
        kinds: ['documents_requested', 'reupload_requested'],
        exceptTaskId: task.id,
      });
      await this.timers.cancelAll(
        m,
        superseded.map((t) => t.id),
      );
      events.push(...superseded.map((t) => taskClosed(t, 'case_advanced', now)));
    }
    await this.outbox.appendMany(
      m,
      events.map((e) => toOutbox(cmd.tenantId, cmd.parcel.parcelId, e)),
    );

    this.metrics.taskCreated(kind);
    if (newlyResolved) this.metrics.parcelResolved(resolution.method, resolution.addressRule);
    this.log.info(
      {
        ...ids,
        taskId: task.id,
        kind,
        propertyId: property.id,
        stewardId: task.stewardId,
        method: resolution.method,
        // which address rule matched (exact | alias), never the address
        addressRule: resolution.addressRule,
      },
      'outreach task created',
    );
    if (!steward)
      this.log.warn(
        { ...ids, taskId: task.id, propertyId: property.id },
        'no steward on duty for the property',
      );
    return { outcome: 'task_created', taskId: task.id };
  }

  /** Closes the case's open tasks (CaseCleared, CaseExpired, CaseCancelled, CaseReturnedToSender). */
  async onCaseEnded(m: EntityManager, cmd: CaseEndedCommand): Promise<string[]> {
    const now = this.clock();
    const closed = await this.tasks.closeOpenOfCase(m, cmd.caseId, cmd.resolution, now);
    if (closed.length === 0) return [];
    await this.timers.cancelAll(
      m,
      closed.map((t) => t.id),
    );
    await this.outbox.appendMany(
      m,
      closed.map((t) => toOutbox(t.tenantId, t.parcelId, taskClosed(t, cmd.resolution, now))),
    );
    this.log.info(
      {
        caseId: cmd.caseId,
        parcelId: cmd.parcelId,
        taskIds: closed.map((t) => t.id),
        resolution: cmd.resolution,
      },
      'outreach tasks closed',
    );
    return closed.map((t) => t.id);
  }

  private async unmatched(
    m: EntityManager,
    cmd: DocumentsRequestedCommand,
    parcel: ParcelProjection | null,
    reason: FrontDeskReason,
    propertyId: string | null,
    addressRule: AddressRule | null = null,
  ): Promise<DocumentsRequestedOutcome> {
    const ids = { caseId: cmd.caseId, parcelId: cmd.parcel.parcelId, round: cmd.round };
    const queued = await this.frontDesk.enqueue(m, {
      id: this.newId('fdq'),
      tenantId: cmd.tenantId,
      propertyId,
      parcelId: cmd.parcel.parcelId,
      caseId: cmd.caseId,
      carrierCode: cmd.parcel.carrierCode,
      trackingNumber: cmd.parcel.trackingNumber,
      hintUnit: parcel?.hint?.unit ?? '',
      reason,
      request: {
        round: cmd.round,
        deadline: cmd.deadline,
        expedited: cmd.expedited,
        documents: cmd.documents,
      },
    });
    const property = propertyId ? await this.directory.property(m, propertyId) : undefined;
    let taskId: string | null = null;
    if (property) {
      const now = this.clock();
      const steward = pickOnDutySteward(
        await this.directory.dutyRota(m, property.id),
        now,
        property.timeZone,
      );
      const task: OutreachTask = {
        ...this.taskBase(cmd, property, now),
        kind: 'unmatched_parcel',
        stewardId: steward?.staffId ?? null,
        residentId: null,
        script: {
          ...renderBoth(UNMATCHED_PARCEL_TEMPLATE, {
            propertyName: property.name,
            carrierCode: cmd.parcel.carrierCode,
            trackingNumber: cmd.parcel.trackingNumber,
            unit: parcel?.hint?.unit ?? '',
            deadline: cmd.deadline,
            timeZone: property.timeZone,
          }),
          // Addressed to the steward, not a resident.
          language: steward?.language ?? property.defaultLanguage,
        },
      };
      if (await this.tasks.insert(m, task)) {
        await this.escalation.scheduleForNewTask(m, task, now);
        await this.outbox.append(m, toOutbox(cmd.tenantId, cmd.parcel.parcelId, taskCreated(task)));
        this.metrics.taskCreated('unmatched_parcel');
        taskId = task.id;
      }
    }
    if (queued) this.metrics.parcelResolved('unmatched', addressRule);
    this.log.info(
      { ...ids, reason, propertyId, addressRule, taskId, queued },
      'parcel not matched to a resident',
    );
    return { outcome: 'unmatched', reason, taskId };
  }

  private taskBase(cmd: DocumentsRequestedCommand, property: PropertyRecord, now: Date) {
    return {
      id: this.newId('ot'),
      tenantId: cmd.tenantId,
      propertyId: property.id,
      caseId: cmd.caseId,
      round: cmd.round,
      parcelId: cmd.parcel.parcelId,
      carrierCode: cmd.parcel.carrierCode,
      trackingNumber: cmd.parcel.trackingNumber,
      state: 'open' as const,
      ackDueAt: ackDueAt(now, cmd, this.sla),
      deadline: cmd.deadline,
      expedited: cmd.expedited,
      createdAt: now,
    };
  }
}
