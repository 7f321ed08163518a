import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { notification } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { CaseOutreachService, type OutreachNotice, type OutreachOutcome } from './case-outreach.service';

/**
 * `notification.outreach.v1`: acknowledgements, handovers, contacts and escalations of tasks that
 * serve a clearance case, and the property a parcel was resolved to. Events of tasks without a
 * case (claims) are skipped; message delivery events have no handler here.
 */
@EventConsumer()
export class OutreachConsumer {
  constructor(private readonly outreach: CaseOutreachService) {}

  @EventPattern('portico.notification.v1.TaskAcknowledged')
  async onAcknowledged(@Payload() e: notification.TaskAcknowledged, @Ctx() ctx: EventContext): Promise<void> {
    if (!e.caseId) return;
    traced(e.caseId, await this.outreach.acknowledged(ctx.manager, notice(e, e.userId, ctx)));
  }

  @EventPattern('portico.notification.v1.TaskReassigned')
  async onReassigned(@Payload() e: notification.TaskReassigned, @Ctx() ctx: EventContext): Promise<void> {
    if (!e.caseId) return;
    traced(e.caseId, await this.outreach.acted(ctx.manager, notice(e, e.fromUserId, ctx), 'task_reassigned'));
  }

  @EventPattern('portico.notification.v1.ResidentContacted')
  async onContacted(@Payload() e: notification.ResidentContacted, @Ctx() ctx: EventContext): Promise<void> {
    if (!e.caseId) return;
    traced(
      e.caseId,
      await this.outreach.acted(ctx.manager, notice(e, e.stewardId, ctx), 'resident_contacted'),
    );
  }

  @EventPattern('portico.notification.v1.Escalated')
  async onEscalated(@Payload() e: notification.Escalated, @Ctx() ctx: EventContext): Promise<void> {
    if (!e.caseId) return;
    traced(e.caseId, await this.outreach.acted(ctx.manager, notice(e, e.assigneeId, ctx), 'escalated'));
  }

  @EventPattern('portico.notification.v1.RecipientResolved')
  async onRecipientResolved(
    @Payload() e: notification.RecipientResolved,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    if (!e.propertyId || !ctx.parcelId) return;
    const caseIds = await this.outreach.resolved(ctx.manager, e.tenantId, ctx.parcelId, e.propertyId);
    trace.getActiveSpan()?.setAttribute('portico.clearance.outcome', `property_set:${caseIds.length}`);
  }
}

function notice(
  e: { tenantId: string; caseId: string; occurredAt?: Timestamp },
  actorId: string,
  ctx: EventContext,
): OutreachNotice {
  return {
    eventId: ctx.eventId,
    tenantId: e.tenantId,
    caseId: e.caseId,
    actorId,
    occurredAt: e.occurredAt ? timestampDate(e.occurredAt) : ctx.occurredAt,
  };
}

function traced(caseId: string, outcome: OutreachOutcome): void {
  const span = trace.getActiveSpan();
  span?.setAttribute('portico.case_id', caseId);
  span?.setAttribute('portico.clearance.outcome', outcome);
}
