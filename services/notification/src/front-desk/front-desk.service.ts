import { Inject, Injectable } from '@nestjs/common';
import type { common } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import type { Logger } from '@portico/observability';
import { ConflictError, NotFoundError, ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { Principal } from '@portico/auth';
import { DirectoryRepository } from '../directory/directory.repository';
import { recipientResolved, taskClosed, toOutbox } from '../outreach/outreach-events';
import { OutreachMetrics } from '../outreach/outreach.metrics';
import { OutreachRepository } from '../outreach/outreach.repository';
import { OutreachService } from '../outreach/outreach.service';
import type { ParcelProjection } from '../parcels/parcel-projection';
import { ParcelsRepository } from '../parcels/parcels.repository';
import { CLOCK, type Clock } from '../shared/tokens';
import {
  entryClosedError,
  mayHandle,
  scopedQueueFilter,
  type DismissBody,
  type QueueQuery,
} from './front-desk-access';
import { FrontDeskQueueRepository, type QueueEntry } from './front-desk-queue.repository';

export interface QueueEntryView {
  id: string;
  tenantId: string;
  propertyId: string | null;
  parcelId: string;
  caseId: string | null;
  carrierCode: string;
  trackingNumber: string;
  hintUnit: string;
  reason: string;
  state: string;
  createdAt: string;
  deadline: string | null;
  linkedResidentId: string | null;
  linkedBy: string | null;
  linkedAt: string | null;
  dismissReason: string | null;
  dismissNote: string | null;
  dismissedBy: string | null;
  dismissedAt: string | null;
}

export interface LinkResult {
  readonly entryId: string;
  readonly parcelId: string;
  readonly residentId: string;
  readonly closedTaskIds: readonly string[];
  /** The documents task created for the linked resident, when a documents request was waiting. */
  readonly taskId: string | null;
}

export interface DismissResult {
  readonly entryId: string;
  readonly parcelId: string;
  readonly state: 'dismissed';
  readonly reason: DismissBody['reason'];
  readonly closedTaskIds: readonly string[];
}

/** Never projected (a case from a front-desk report): a placeholder any real tracking event overrides. */
const NO_EVENT_ID = '00000000-0000-0000-0000-000000000000';

const notFound = () =>
  new NotFoundError('front_desk_entry_not_found', {
    en: 'There is no such front-desk entry for you.',
    zh: '没有您可处理的该前台待办条目。',
  });

/**
 * The front-desk queue: parcels nobody could be matched to, listed for the property's stewards and
 * managers, and linked to a resident by hand. Linking resolves the parcel (`RecipientResolved`,
 * method FRONT_DESK, linked_by_id), closes the unmatched-parcel task (`TaskClosed` COMPLETED) and,
 * when a documents request was waiting for the parcel, lets OutreachService.onDocumentsRequested
 * carry on with the now-resolved parcel: the steward's documents task for the linked resident.
 * Dismissing sets an entry aside without a resident (not ours, returned, a duplicate): the
 * unmatched-parcel task closes CANCELLED with who did it (`TaskClosed`), the parcel stays
 * unresolved. All of it in one transaction, events through the outbox.
 */
@Injectable()
export class FrontDeskService {
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: FrontDeskQueueRepository,
    private readonly directory: DirectoryRepository,
    private readonly parcels: ParcelsRepository,
    private readonly tasks: OutreachRepository,
    private readonly outreach: OutreachService,
    private readonly outbox: OutboxWriter,
    private readonly metrics: OutreachMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'front-desk' });
  }

  async list(caller: Principal, query: QueueQuery): Promise<QueueEntryView[]> {
    const filter = scopedQueueFilter(caller, query);
    const rows = await this.uow.read((m) => this.queue.list(m, filter));
    // Defence in depth: a row the scope should have excluded is dropped, never shown.
    return rows.filter((r) => mayHandle(caller, r)).map(toView);
  }

  /**
   * @throws 404 front_desk_entry_not_found (also for another tenant's or property's entry: its
   *   existence is not revealed), 404 resident_not_found, 409 front_desk_entry_closed (linked),
   *   409 front_desk_entry_dismissed, 409 parcel_already_resolved
   */
  async link(
    caller: Principal & { kind: 'person' },
    entryId: string,
    residentId: string,
  ): Promise<LinkResult> {
    const result = await this.uow.transaction(async (m) => {
      const entry = await this.openEntry(m, caller, entryId);
      const resident = await this.directory.resident(m, residentId);
      if (!resident || resident.tenantId !== entry.tenantId || !mayHandle(caller, resident)) {
        throw new NotFoundError('resident_not_found', {
          en: 'There is no such current resident you can link this parcel to.',
          zh: '没有可关联此包裹的该住户。',
        });
      }
      const parcel = await this.projectionOf(m, entry);
      if (parcel.resolution && parcel.resolution.residentId !== resident.id) {
        throw new ConflictError('parcel_already_resolved', {
          en: 'This parcel has meanwhile been matched to a resident.',
          zh: '该包裹已匹配到住户。',
        });
      }
      const now = this.clock();
      const resolution = {
        propertyId: resident.propertyId,
        unitId: resident.unitId,
        residentId: resident.id,
        method: 'front_desk' as const,
      };
      await this.parcels.markResolved(m, entry.tenantId, entry.parcelId, resolution, now);
      await this.queue.markLinked(m, entry.id, resident.id, caller.subject, now);
      const identity = {
        parcelId: entry.parcelId,
        carrierCode: entry.carrierCode || parcel.carrierCode,
        trackingNumber: entry.trackingNumber || parcel.trackingNumber,
      };
      const closed = entry.caseId
        ? await this.tasks.closeOpenOfCase(m, entry.caseId, 'completed', now, { kinds: ['unmatched_parcel'] })
        : [];
      await this.outbox.appendMany(m, [
        toOutbox(
          entry.tenantId,
          entry.parcelId,
          recipientResolved({
            tenantId: entry.tenantId,
            parcel: identity,
            ...resolution,
            at: now,
            linkedById: caller.subject,
          }),
        ),
        ...closed.map((t) => toOutbox(t.tenantId, t.parcelId, taskClosed(t, 'completed', now))),
      ]);

      let taskId: string | null = null;
      if (entry.caseId && entry.request && !(await this.queue.caseEnded(m, entry.caseId))) {
        // The documents request that found no resident goes on: the parcel is resolved now.
        const outcome = await this.outreach.onDocumentsRequested(m, {
          tenantId: entry.tenantId,
          caseId: entry.caseId,
          parcel: identity,
          round: entry.request.round,
          deadline: entry.request.deadline,
          expedited: entry.request.expedited,
          documents: entry.request.documents as common.DocumentType[],
          previousFailures: 0,
        });
        if (outcome.outcome === 'task_created') taskId = outcome.taskId;
      }
      return {
        entryId: entry.id,
        parcelId: entry.parcelId,
        residentId: resident.id,
        closedTaskIds: closed.map((t) => t.id),
        taskId,
        tenantId: entry.tenantId,
        caseId: entry.caseId,
      };
    });
    this.metrics.parcelResolved('front_desk', null);
    const { tenantId, caseId, ...answer } = result;
    this.log.info(
      { ...answer, tenantId, caseId, linkedBy: caller.subject },
      'front-desk parcel linked to a resident',
    );
    return answer;
  }

  /**
   * Sets the entry aside: state `dismissed` with reason, note and who, and the unmatched-parcel
   * task of its case closed CANCELLED by the caller. The note stays in the row: it is never in the
   * log line, the event or the metric.
   * @throws 404 front_desk_entry_not_found (as for link), 409 front_desk_entry_dismissed,
   *   409 front_desk_entry_closed (already linked)
   */
  async dismiss(
    caller: Principal & { kind: 'person' },
    entryId: string,
    body: DismissBody,
  ): Promise<DismissResult> {
    const result = await this.uow.transaction(async (m) => {
      const entry = await this.openEntry(m, caller, entryId);
      const now = this.clock();
      await this.queue.markDismissed(m, entry.id, {
        reason: body.reason,
        note: body.note,
        by: caller.subject,
        at: now,
      });
      const closed = entry.caseId
        ? await this.tasks.closeOpenOfCase(m, entry.caseId, 'cancelled', now, { kinds: ['unmatched_parcel'] })
        : [];
      await this.outbox.appendMany(
        m,
        closed.map((t) => toOutbox(t.tenantId, t.parcelId, taskClosed(t, 'cancelled', now, caller.subject))),
      );
      return { entry, closedTaskIds: closed.map((t) => t.id) };
    });
    const { entry, closedTaskIds } = result;
    this.metrics.frontDeskDismissed(body.reason);
    this.log.info(
      {
        entryId: entry.id,
        parcelId: entry.parcelId,
        tenantId: entry.tenantId,
        caseId: entry.caseId,
        reason: body.reason,
        closedTaskIds,
        dismissedBy: caller.subject,
      },
      'front-desk entry dismissed',
    );
    return {
      entryId: entry.id,
      parcelId: entry.parcelId,
      state: 'dismissed',
      reason: body.reason,
      closedTaskIds,
    };
  }

  /** The entry locked for the caller's transaction, if the caller may act on it and it is still open. */
  private async openEntry(m: EntityManager, caller: Principal, entryId: string): Promise<QueueEntry> {
    const entry = await this.queue.findForUpdate(m, entryId);
    // Another tenant's or property's entry is "not found": its existence is not revealed.
    if (!entry || !mayHandle(caller, entry)) throw notFound();
    const closed = entryClosedError(entry.state);
    if (closed) throw closed;
    return entry;
  }

  /** The parcel's projection, locked; created empty when no tracking event ever told about it. */
  private async projectionOf(m: EntityManager, entry: QueueEntry): Promise<ParcelProjection> {
    const found = await this.parcels.findForUpdate(m, entry.tenantId, entry.parcelId);
    if (found) return found;
    await this.parcels.insertIfAbsent(m, {
      tenantId: entry.tenantId,
      parcelId: entry.parcelId,
      carrierCode: entry.carrierCode,
      trackingNumber: entry.trackingNumber,
      status: 'unknown',
      statusOccurredAt: new Date(0),
      lastEventId: NO_EVENT_ID,
      hint: null,
      hintOccurredAt: null,
      resolution: null,
    });
    return (await this.parcels.findForUpdate(m, entry.tenantId, entry.parcelId))!;
  }
}

function toView(e: QueueEntry): QueueEntryView {
  return {
    id: e.id,
    tenantId: e.tenantId,
    propertyId: e.propertyId,
    parcelId: e.parcelId,
    caseId: e.caseId,
    carrierCode: e.carrierCode,
    trackingNumber: e.trackingNumber,
    hintUnit: e.hintUnit,
    reason: e.reason,
    state: e.state,
    createdAt: e.createdAt.toISOString(),
    deadline: e.request?.deadline?.toISOString() ?? null,
    linkedResidentId: e.linkedResidentId,
    linkedBy: e.linkedBy,
    linkedAt: e.linkedAt?.toISOString() ?? null,
    dismissReason: e.dismissal?.reason ?? null,
    dismissNote: e.dismissal?.note ?? null,
    dismissedBy: e.dismissal?.by ?? null,
    dismissedAt: e.dismissal?.at.toISOString() ?? null,
  };
}
