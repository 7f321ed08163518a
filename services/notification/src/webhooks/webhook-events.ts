import {
  ScalarType,
  type DescEnum,
  type DescField,
  type DescMessage,
  type Message,
} from '@bufbuild/protobuf';
import { timestampDate, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import { ClearanceCaseEventSchema, OutreachEventSchema, type common } from '@portico/contracts';

/*
 * What property systems receive: a documented, versioned JSON rendering of the tenant-scoped platform
 * events. Ids, states, times, tracking numbers and carrier codes only. The protobuf events carry no
 * personal data today; the payload is built from an allow-list of field names so that a field added
 * to a proto later does not reach subscribers until someone decides it may (the spec enumerates every
 * field of every event and fails on one nobody has decided about).
 */

/** Bumped when a payload changes incompatibly; subscribers read it from every body. */
export const PAYLOAD_VERSION = 1;

/** protobuf event type (the `event-type` record header) -> webhook event type. */
export const WEBHOOK_EVENT_TYPES: Readonly<Record<string, string>> = {
  'portico.clearance.v1.CaseOpened': 'clearance.case.opened',
  'portico.clearance.v1.DocumentsRequested': 'clearance.case.documents_requested',
  'portico.clearance.v1.DocumentsReceived': 'clearance.case.documents_received',
  'portico.clearance.v1.ReviewStarted': 'clearance.case.review_started',
  'portico.clearance.v1.DocumentsRejected': 'clearance.case.documents_rejected',
  'portico.clearance.v1.SubmittedToCarrier': 'clearance.case.submitted_to_carrier',
  'portico.clearance.v1.CaseCleared': 'clearance.case.cleared',
  'portico.clearance.v1.CaseExpired': 'clearance.case.expired',
  'portico.clearance.v1.CaseReturnedToSender': 'clearance.case.returned_to_sender',
  'portico.clearance.v1.CaseCancelled': 'clearance.case.cancelled',
  'portico.clearance.v1.ResidentReminderDue': 'clearance.case.resident_reminder_due',
  'portico.clearance.v1.StewardAckSlaBreached': 'clearance.case.steward_ack_sla_breached',
  'portico.clearance.v1.HoldPredicted': 'clearance.hold.predicted',
  'portico.notification.v1.OutreachTaskCreated': 'outreach.task.created',
  'portico.notification.v1.TaskAcknowledged': 'outreach.task.acknowledged',
  'portico.notification.v1.TaskReassigned': 'outreach.task.reassigned',
  'portico.notification.v1.ResidentContacted': 'outreach.resident.contacted',
  'portico.notification.v1.MessageSent': 'outreach.message.sent',
  'portico.notification.v1.MessageDelivered': 'outreach.message.delivered',
  'portico.notification.v1.MessageFailed': 'outreach.message.failed',
  'portico.notification.v1.Escalated': 'outreach.task.escalated',
  'portico.notification.v1.TaskClosed': 'outreach.task.closed',
  'portico.notification.v1.RecipientResolved': 'outreach.recipient.resolved',
};

/** Every webhook event type, for filters and the catalogue endpoint. */
export const ALL_WEBHOOK_EVENT_TYPES: readonly string[] = Object.values(WEBHOOK_EVENT_TYPES);

/**
 * Fields that may reach a subscriber. Ids (Portico's, or the tenant's own directory ids), states,
 * kinds, reasons, times, counters, tracking numbers and carrier codes.
 */
export const ALLOWED_FIELDS: ReadonlySet<string> = new Set([
  // common to the events
  'caseId',
  'tenantId',
  'parcel',
  'propertyId',
  'state',
  'occurredAt',
  'taskId',
  'claimId',
  // clearance
  'holdReason',
  'requiredDocuments',
  'deadline',
  'deadlineSource',
  'expedited',
  'expediteReasons',
  'origin',
  'triggerEventId',
  'policyId',
  'round',
  'previousRejectionReasons',
  'documentIds',
  'uploadRequestId',
  'channel',
  'stewardId',
  'reasons',
  'rejectedBy',
  'grantIds',
  'trigger',
  'openedAt',
  'expiredInState',
  'reason',
  'actorId',
  'leadTime',
  'ackDueAt',
  'sla',
  'predictionId',
  'probability',
  'threshold',
  'modelVersion',
  'likelyDocuments',
  // outreach
  'kind',
  'residentId',
  'userId',
  'level',
  'fromUserId',
  'toUserId',
  'messageId',
  'attempt',
  'recipientRole',
  'recipientId',
  'templateRef',
  'language',
  'errorCode',
  'willRetry',
  'failoverChannel',
  'previousLevel',
  'assigneeId',
  'quietHoursOverridden',
  'resolution',
  'closedById',
  'unitId',
  'method',
  'linkedById',
]);

/** Fields deliberately kept from subscribers (decided, not forgotten). */
export const EXCLUDED_FIELDS: ReadonlySet<string> = new Set([
  // a keyed digest of the waybill name: useless to a subscriber, and derived from a person's name
  'recipientNameDigest',
]);

/** The event messages of the streams webhooks are built from, by protobuf type name. */
export const WEBHOOK_SOURCE_EVENTS: ReadonlyMap<string, DescMessage> = new Map(
  [ClearanceCaseEventSchema, OutreachEventSchema]
    .flatMap((stream) => stream.fields)
    .flatMap((f) => (f.message ? [[f.message.typeName, f.message] as const] : [])),
);

export interface WebhookPayload {
  readonly type: string;
  readonly version: number;
  /** The platform event's id (`event-id`): the same event in two subscriptions has the same one. */
  readonly eventId: string;
  readonly timestamp: string;
  readonly tenantId: string;
  readonly data: Record<string, unknown>;
}

/** The webhook type of a protobuf event type, or undefined when property systems do not get it. */
export function webhookTypeOf(protoType: string): string | undefined {
  return WEBHOOK_EVENT_TYPES[protoType];
}

/**
 * The body for one event. `tenantId` is the one the fan-out matched subscriptions with (the event's
 * own field, else the record header), so a body never names a tenant other than its subscriber's.
 */
export function toWebhookPayload(
  event: Message,
  meta: { eventId: string; tenantId: string; occurredAt: Date },
): WebhookPayload | undefined {
  const type = webhookTypeOf(event.$typeName);
  const desc = WEBHOOK_SOURCE_EVENTS.get(event.$typeName);
  if (!type || !desc) return undefined;
  const data: Record<string, unknown> = {};
  for (const field of desc.fields) {
    if (!ALLOWED_FIELDS.has(field.localName)) continue;
    const rendered = renderField(field, (event as unknown as Record<string, unknown>)[field.localName]);
    if (rendered !== undefined) data[renderedName(field)] = rendered;
  }
  data.tenantId = meta.tenantId;
  return {
    type,
    version: PAYLOAD_VERSION,
    eventId: meta.eventId,
    timestamp: meta.occurredAt.toISOString(),
    tenantId: meta.tenantId,
    data,
  };
}

function renderedName(field: DescField): string {
  return isDuration(field) ? `${field.localName}Seconds` : field.localName;
}

function isDuration(field: DescField): boolean {
  return field.fieldKind === 'message' && field.message.typeName === 'google.protobuf.Duration';
}

/** protobuf enum value -> `snake_case` name without the enum's prefix; UNSPECIFIED -> null. */
function enumName(desc: DescEnum, value: number): string | null {
  if (value === 0) return null;
  const v = desc.values.find((e) => e.number === value);
  if (!v) return `unknown_${value}`;
  // Buf's STANDARD lint makes every value start with the enum's prefix, as `<PREFIX>_UNSPECIFIED` = 0 shows.
  const zero = desc.values.find((e) => e.number === 0)?.name ?? '';
  const prefix = zero.endsWith('UNSPECIFIED') ? zero.slice(0, -'UNSPECIFIED'.length) : '';
  return (v.name.startsWith(prefix) ? v.name.slice(prefix.length) : v.name).toLowerCase();
}

function renderField(field: DescField, value: unknown): unknown {
  switch (field.fieldKind) {
    case 'scalar':
      if (field.scalar === ScalarType.BYTES) return undefined;
      return typeof value === 'bigint' ? value.toString() : value;
    case 'enum':
      return enumName(field.enum, value as number);
    case 'list':
      if (field.listKind === 'enum') return (value as number[]).map((v) => enumName(field.enum, v));
      if (field.listKind === 'scalar' && field.scalar === ScalarType.STRING) return [...(value as string[])];
      return undefined;
    case 'message':
      return renderMessage(field.message.typeName, value);
    default:
      return undefined;
  }
}

function renderMessage(typeName: string, value: unknown): unknown {
  switch (typeName) {
    case 'google.protobuf.Timestamp':
      return value ? timestampDate(value as Timestamp).toISOString() : null;
    case 'google.protobuf.Duration': {
      if (!value) return null;
      const d = value as Duration;
      return Number(d.seconds) + d.nanos / 1e9;
    }
    case 'portico.common.v1.ParcelRef': {
      const p = value as common.ParcelRef | undefined;
      return p
        ? { parcelId: p.parcelId, carrierCode: p.carrierCode, trackingNumber: p.trackingNumber }
        : null;
    }
    default:
      // A message type nobody has rendered yet stays out rather than leaking its contents.
      return undefined;
  }
}
