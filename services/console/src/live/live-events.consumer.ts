import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import { EventConsumer, EventContext } from '@portico/messaging';
import { LiveFanout } from './live-fanout';

/** The identity fields every outreach and clearance event repeats (proto: ids only). */
interface IdentityFields {
  tenantId?: string;
  propertyId?: string;
  caseId?: string;
  taskId?: string;
  /** Message events only: the parcel and the message (never the recipient id, channel address or content). */
  parcel?: { parcelId?: string };
  messageId?: string;
}

const OUTREACH = [
  'OutreachTaskCreated',
  'TaskAcknowledged',
  'TaskReassigned',
  'ResidentContacted',
  'MessageSent',
  'MessageDelivered',
  'MessageFailed',
  'Escalated',
  'TaskClosed',
] as const;
const CLEARANCE = [
  'DocumentsRequested',
  'DocumentsReceived',
  'ReviewStarted',
  'DocumentsRejected',
  'SubmittedToCarrier',
  'CaseCleared',
  'CaseExpired',
  'CaseCancelled',
  'CaseReturnedToSender',
] as const;

function outreach(type: string): MethodDecorator {
  return EventPattern(`portico.notification.v1.${type}`);
}
function clearance(type: string): MethodDecorator {
  return EventPattern(`portico.clearance.v1.${type}`);
}

/**
 * `notification.outreach.v1` and `clearance.case.v1` → live updates for browsers. No state of its
 * own: the inbox row makes each event count once, the fan-out reaches every instance when that
 * row commits, and each instance's hub filters by session.
 */
@EventConsumer()
export class LiveEventsConsumer {
  constructor(private readonly fanout: LiveFanout) {}

  private push(topic: string, type: string, event: IdentityFields, ctx: EventContext): Promise<void> {
    return this.fanout.broadcast(
      {
        topic,
        type,
        tenantId: event.tenantId || ctx.tenantId || '',
        propertyId: event.propertyId ?? '',
        caseId: event.caseId ?? '',
        taskId: event.taskId ?? '',
        parcelId: type.startsWith('Message') ? (event.parcel?.parcelId ?? '') : '',
        messageId: type.startsWith('Message') ? (event.messageId ?? '') : '',
      },
      ctx.manager,
    );
  }

  @outreach(OUTREACH[0]) onOutreachTaskCreated(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[0], e, c);
  }
  @outreach(OUTREACH[1]) onTaskAcknowledged(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[1], e, c);
  }
  @outreach(OUTREACH[2]) onTaskReassigned(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[2], e, c);
  }
  @outreach(OUTREACH[3]) onResidentContacted(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[3], e, c);
  }
  @outreach(OUTREACH[4]) onMessageSent(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[4], e, c);
  }
  @outreach(OUTREACH[5]) onMessageDelivered(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[5], e, c);
  }
  @outreach(OUTREACH[6]) onMessageFailed(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[6], e, c);
  }
  @outreach(OUTREACH[7]) onEscalated(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[7], e, c);
  }
  @outreach(OUTREACH[8]) onTaskClosed(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(NOTIFICATION_OUTREACH_TOPIC.name, OUTREACH[8], e, c);
  }

  @clearance(CLEARANCE[0]) onDocumentsRequested(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[0], e, c);
  }
  @clearance(CLEARANCE[1]) onDocumentsReceived(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[1], e, c);
  }
  @clearance(CLEARANCE[2]) onReviewStarted(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[2], e, c);
  }
  @clearance(CLEARANCE[3]) onDocumentsRejected(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[3], e, c);
  }
  @clearance(CLEARANCE[4]) onSubmittedToCarrier(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[4], e, c);
  }
  @clearance(CLEARANCE[5]) onCaseCleared(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[5], e, c);
  }
  @clearance(CLEARANCE[6]) onCaseExpired(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[6], e, c);
  }
  @clearance(CLEARANCE[7]) onCaseCancelled(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[7], e, c);
  }
  @clearance(CLEARANCE[8]) onCaseReturnedToSender(@Payload() e: IdentityFields, @Ctx() c: EventContext) {
    return this.push(CLEARANCE_CASE_TOPIC.name, CLEARANCE[8], e, c);
  }
}
