import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  common,
  notification,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  type OutreachEvent,
} from '@portico/contracts';
import type { OutboxEvent } from '@portico/messaging';
import type { ResolutionMethod } from '../parcels/parcel-projection';
import type { EscalationLevel, EscalationReason } from './escalation';
import type { CloseResolution, OutreachTask, TaskKind } from './outreach-task';

/*
 * Builders of the events notification publishes on `notification.outreach.v1`, keyed by parcel id.
 * They carry ids, kinds and times only: never a name, phone number, script or link.
 */

const KINDS: Record<TaskKind, notification.OutreachKind> = {
  documents_requested: notification.OutreachKind.DOCUMENTS_REQUESTED,
  reupload_requested: notification.OutreachKind.REUPLOAD_REQUESTED,
  unmatched_parcel: notification.OutreachKind.UNMATCHED_PARCEL,
};

const METHODS: Record<ResolutionMethod, notification.ResolutionMethod> = {
  pre_registered: notification.ResolutionMethod.PRE_REGISTERED,
  address_match: notification.ResolutionMethod.ADDRESS_MATCH,
  front_desk: notification.ResolutionMethod.FRONT_DESK,
};

const RESOLUTIONS: Record<CloseResolution, notification.TaskResolution> = {
  completed: notification.TaskResolution.COMPLETED,
  case_advanced: notification.TaskResolution.CASE_ADVANCED,
  case_ended: notification.TaskResolution.CASE_ENDED,
  cancelled: notification.TaskResolution.CANCELLED,
};

const LEVELS: Record<EscalationLevel, notification.EscalationLevel> = {
  steward: notification.EscalationLevel.STEWARD,
  manager: notification.EscalationLevel.MANAGER,
  operations: notification.EscalationLevel.OPERATIONS,
};

const REASONS: Record<EscalationReason, notification.EscalationReason> = {
  ack_sla_breached: notification.EscalationReason.ACK_SLA_BREACHED,
  deadline_at_risk: notification.EscalationReason.DEADLINE_AT_RISK,
  unreachable: notification.EscalationReason.UNREACHABLE,
  manual: notification.EscalationReason.MANUAL,
};

/** Channels a steward can say they used; the ones Portico sends itself are recorded by delivery. */
export const CONTACT_CHANNELS = [
  'phone_call',
  'chat',
  'in_person',
  'sms',
  'email',
  'wecom',
  'dingtalk',
] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

const CHANNELS: Record<ContactChannel, notification.Channel> = {
  phone_call: notification.Channel.PHONE_CALL,
  chat: notification.Channel.CHAT,
  in_person: notification.Channel.IN_PERSON,
  sms: notification.Channel.SMS,
  email: notification.Channel.EMAIL,
  wecom: notification.Channel.WECOM,
  dingtalk: notification.Channel.DINGTALK,
};

export interface ParcelIdentity {
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
}

function parcelRefOf(p: ParcelIdentity): common.ParcelRef {
  return create(common.ParcelRefSchema, {
    parcelId: p.parcelId,
    carrierCode: p.carrierCode,
    trackingNumber: p.trackingNumber,
  });
}

export function taskCreated(task: OutreachTask): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'outreachTaskCreated',
      value: create(notification.OutreachTaskCreatedSchema, {
        taskId: task.id,
        tenantId: task.tenantId,
        parcel: parcelRefOf(task),
        propertyId: task.propertyId,
        caseId: task.caseId ?? '',
        occurredAt: timestampFromDate(task.createdAt),
        kind: KINDS[task.kind],
        stewardId: task.stewardId ?? '',
        residentId: task.residentId ?? '',
        ackDueAt: timestampFromDate(task.ackDueAt),
        expedited: task.expedited,
        deadline: task.deadline ? timestampFromDate(task.deadline) : undefined,
      }),
    },
  });
}

export function recipientResolved(input: {
  tenantId: string;
  parcel: ParcelIdentity;
  propertyId: string;
  unitId: string;
  residentId: string;
  method: ResolutionMethod;
  at: Date;
  /** The person who linked it (user id), for `front_desk`. */
  linkedById?: string;
}): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'recipientResolved',
      value: create(notification.RecipientResolvedSchema, {
        tenantId: input.tenantId,
        parcel: parcelRefOf(input.parcel),
        propertyId: input.propertyId,
        occurredAt: timestampFromDate(input.at),
        unitId: input.unitId,
        residentId: input.residentId,
        method: METHODS[input.method],
        linkedById: input.linkedById ?? '',
      }),
    },
  });
}

/** `closedById`: the person (user id) whose action closed it; omitted when it closed by itself. */
export function taskClosed(
  task: OutreachTask,
  resolution: CloseResolution,
  at: Date,
  closedById?: string,
): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'taskClosed',
      value: create(notification.TaskClosedSchema, {
        taskId: task.id,
        tenantId: task.tenantId,
        parcel: parcelRefOf(task),
        propertyId: task.propertyId,
        caseId: task.caseId ?? '',
        occurredAt: timestampFromDate(at),
        resolution: RESOLUTIONS[resolution],
        closedById: closedById ?? '',
      }),
    },
  });
}

/** The identity block every task event repeats (fields 1 to 7). */
function taskIdentity(task: TaskIdentity, at: Date) {
  return {
    taskId: task.id,
    tenantId: task.tenantId,
    parcel: parcelRefOf(task),
    propertyId: task.propertyId,
    caseId: task.caseId ?? '',
    occurredAt: timestampFromDate(at),
  };
}

/** What a task event needs to name its task. */
export type TaskIdentity = Pick<
  OutreachTask,
  'id' | 'tenantId' | 'propertyId' | 'caseId' | 'parcelId' | 'carrierCode' | 'trackingNumber'
>;

export function taskAcknowledged(
  task: TaskIdentity,
  input: { userId: string; level: EscalationLevel; at: Date },
): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'taskAcknowledged',
      value: create(notification.TaskAcknowledgedSchema, {
        ...taskIdentity(task, input.at),
        userId: input.userId,
        level: LEVELS[input.level],
      }),
    },
  });
}

export function taskReassigned(
  task: TaskIdentity,
  input: { fromUserId: string | null; toUserId: string; at: Date },
): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'taskReassigned',
      value: create(notification.TaskReassignedSchema, {
        ...taskIdentity(task, input.at),
        fromUserId: input.fromUserId ?? '',
        toUserId: input.toUserId,
      }),
    },
  });
}

export function residentContacted(
  task: TaskIdentity,
  input: { stewardId: string; residentId: string; channel: ContactChannel; at: Date },
): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'residentContacted',
      value: create(notification.ResidentContactedSchema, {
        ...taskIdentity(task, input.at),
        stewardId: input.stewardId,
        residentId: input.residentId,
        channel: CHANNELS[input.channel],
      }),
    },
  });
}

export function escalated(
  task: TaskIdentity,
  input: {
    level: EscalationLevel;
    previousLevel: EscalationLevel;
    reason: EscalationReason;
    assigneeId: string | null;
    quietHoursOverridden: boolean;
    at: Date;
  },
): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'escalated',
      value: create(notification.EscalatedSchema, {
        ...taskIdentity(task, input.at),
        level: LEVELS[input.level],
        previousLevel: LEVELS[input.previousLevel],
        reason: REASONS[input.reason],
        assigneeId: input.assigneeId ?? '',
        quietHoursOverridden: input.quietHoursOverridden,
      }),
    },
  });
}

/** The outbox row for an outreach event: the outreach topic, keyed by the parcel. */
export function toOutbox(
  tenantId: string,
  parcelId: string,
  message: OutreachEvent,
): OutboxEvent<typeof OutreachEventSchema> {
  return {
    topic: NOTIFICATION_OUTREACH_TOPIC.name,
    key: parcelId,
    tenantId,
    schema: OutreachEventSchema,
    message,
  };
}
