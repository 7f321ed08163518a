import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import { clearance, type common } from '@portico/contracts';
import { EventBatchContext, EventBatchPattern, EventConsumer, EventContext } from '@portico/messaging';
import type { ParcelIdentity } from './outreach-events';
import { OutreachService, type CaseEndedCommand } from './outreach.service';
import { ResidentNoticesService, type ClearedTrigger } from './resident-notices.service';

const TRIGGERS: Partial<Record<clearance.ClearanceTrigger, ClearedTrigger>> = {
  [clearance.ClearanceTrigger.CUSTOMS_RELEASED]: 'customs_released',
  [clearance.ClearanceTrigger.OUT_FOR_DELIVERY]: 'out_for_delivery',
  [clearance.ClearanceTrigger.DELIVERED]: 'delivered',
  [clearance.ClearanceTrigger.OPERATOR]: 'operator',
};

/** `clearance.case.v1`: document requests become steward tasks; a case's end closes them. */
@EventConsumer()
export class ClearanceConsumer {
  constructor(
    private readonly outreach: OutreachService,
    private readonly notices: ResidentNoticesService,
  ) {}

  @EventPattern('portico.clearance.v1.DocumentsRequested')
  async onDocumentsRequested(
    @Payload() event: clearance.DocumentsRequested,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    annotate(ctx, event.caseId);
    await this.outreach.onDocumentsRequested(ctx.manager, {
      tenantId: event.tenantId || ctx.tenantId,
      caseId: event.caseId,
      parcel: parcelOf(event, ctx),
      // Round 0 would be a producer bug; treat it as the first request rather than a second one.
      round: Math.max(1, event.round),
      deadline: event.deadline ? timestampDate(event.deadline) : null,
      expedited: event.expedited,
      documents: event.requiredDocuments,
      previousRejectionReasons: event.previousRejectionReasons,
      previousFailures: ctx.previousFailures,
    });
  }

  @EventPattern('portico.clearance.v1.CaseCleared')
  async onCaseCleared(@Payload() event: clearance.CaseCleared, @Ctx() ctx: EventContext): Promise<void> {
    await this.closeTasks(ctx, event.caseId, 'case_advanced');
    await this.notices.onCaseCleared(ctx.manager, {
      caseId: event.caseId,
      trigger: TRIGGERS[event.trigger] ?? 'operator',
    });
  }

  @EventPattern('portico.clearance.v1.DocumentsReceived')
  async onDocumentsReceived(
    @Payload() event: clearance.DocumentsReceived,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    annotate(ctx, event.caseId);
    await this.notices.onDocumentsReceived(ctx.manager, { caseId: event.caseId, round: event.round });
  }

  @EventPattern('portico.clearance.v1.ResidentReminderDue')
  async onResidentReminderDue(
    @Payload() event: clearance.ResidentReminderDue,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    annotate(ctx, event.caseId);
    await this.notices.onReminderDue(ctx.manager, {
      caseId: event.caseId,
      leadSeconds: Number(event.leadTime?.seconds ?? 0n),
    });
  }

  /** A batch: clearance predicts a hold for many scans, and one lookup serves a whole run of them. */
  @EventBatchPattern('portico.clearance.v1.HoldPredicted')
  async onHoldPredicted(
    @Payload() events: clearance.HoldPredicted[],
    @Ctx() batch: EventBatchContext,
  ): Promise<void> {
    await this.notices.onHoldPredictedMany(
      batch.manager,
      events.map((event, i) => {
        const ctx = batch.contexts[i]!;
        return {
          tenantId: event.tenantId || ctx.tenantId,
          parcel: parcelOf(event, ctx),
          documents: event.likelyDocuments,
          inTrace: (work) =>
            ctx.inTrace(() => {
              trace.getActiveSpan()?.setAttribute('portico.parcel_id', ctx.parcelId);
              return work();
            }),
        };
      }),
    );
  }

  @EventPattern('portico.clearance.v1.CaseExpired')
  async onCaseExpired(@Payload() event: clearance.CaseExpired, @Ctx() ctx: EventContext): Promise<void> {
    await this.closeTasks(ctx, event.caseId, 'case_ended');
    await this.notices.onCaseEndedUncleared(ctx.manager, { caseId: event.caseId, end: 'expired' });
  }

  @EventPattern('portico.clearance.v1.CaseCancelled')
  async onCaseCancelled(@Payload() event: clearance.CaseCancelled, @Ctx() ctx: EventContext): Promise<void> {
    await this.closeTasks(ctx, event.caseId, 'case_ended');
    // The reason is not passed on: the notice says only what holds for every cancellation.
    await this.notices.onCaseEndedUncleared(ctx.manager, { caseId: event.caseId, end: 'cancelled' });
  }

  @EventPattern('portico.clearance.v1.CaseReturnedToSender')
  async onCaseReturnedToSender(
    @Payload() event: clearance.CaseReturnedToSender,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.closeTasks(ctx, event.caseId, 'case_ended');
    await this.notices.onCaseEndedUncleared(ctx.manager, { caseId: event.caseId, end: 'returned_to_sender' });
  }

  private async closeTasks(ctx: EventContext, caseId: string, resolution: CaseEndedCommand['resolution']) {
    annotate(ctx, caseId);
    await this.outreach.onCaseEnded(ctx.manager, { caseId, parcelId: ctx.parcelId, resolution });
  }
}

/** The event's parcel; the record key stands in for a producer that left the ref out. */
function parcelOf(event: { parcel?: common.ParcelRef }, ctx: EventContext): ParcelIdentity {
  return {
    parcelId: event.parcel?.parcelId || ctx.parcelId,
    carrierCode: event.parcel?.carrierCode ?? '',
    trackingNumber: event.parcel?.trackingNumber ?? '',
  };
}

/** Operators find a parcel's or case's trace by these ids (never personal data). */
function annotate(ctx: EventContext, caseId: string): void {
  trace.getActiveSpan()?.setAttributes({ 'portico.parcel_id': ctx.parcelId, 'portico.case_id': caseId });
}
