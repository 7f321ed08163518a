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

export function taskClosed(task: OutreachTask, resolution: CloseResolution, at: Date): OutreachEvent {
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
