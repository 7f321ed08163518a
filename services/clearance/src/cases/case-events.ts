import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  clearance,
  ClearanceCaseEventSchema,
  common,
  documentTypeToContract,
  ParcelRefSchema,
  type ClearanceCaseEvent,
} from '@portico/contracts';
import type {
  ClearanceCase,
  ClearanceTrigger,
  DeadlineSource,
  DocumentsChannel,
  DocumentTypeName,
  ExpediteReason,
  HoldReason,
} from './case';
import type { CaseState } from './case-state';

/**
 * `clearance.case.v1` events built from a case. Every event repeats the identity block and the
 * state after the event, so consumers need nothing else (case.proto). Property id is empty until
 * notification has resolved the recipient (RecipientResolved): clearance does not resolve them.
 */

const STATE: Readonly<Record<CaseState, clearance.CaseState>> = {
  opened: clearance.CaseState.OPENED,
  awaiting_documents: clearance.CaseState.AWAITING_DOCUMENTS,
  documents_received: clearance.CaseState.DOCUMENTS_RECEIVED,
  under_review: clearance.CaseState.UNDER_REVIEW,
  rejected: clearance.CaseState.REJECTED,
  submitted_to_carrier: clearance.CaseState.SUBMITTED_TO_CARRIER,
  cleared: clearance.CaseState.CLEARED,
  expired: clearance.CaseState.EXPIRED,
  returned_to_sender: clearance.CaseState.RETURNED_TO_SENDER,
  cancelled: clearance.CaseState.CANCELLED,
};

const HOLD_REASON: Readonly<Record<HoldReason, carrier.CustomsHoldReason>> = {
  id_documents_required: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
  duties_unpaid: carrier.CustomsHoldReason.DUTIES_UNPAID,
  inspection: carrier.CustomsHoldReason.INSPECTION,
  other: carrier.CustomsHoldReason.OTHER,
};

const EXPEDITE_REASON: Readonly<Record<ExpediteReason, clearance.ExpediteReason>> = {
  high_value: clearance.ExpediteReason.HIGH_VALUE,
  perishable: clearance.ExpediteReason.PERISHABLE,
  short_deadline: clearance.ExpediteReason.SHORT_DEADLINE,
};

const DEADLINE_SOURCE: Readonly<Record<DeadlineSource, clearance.DeadlineSource>> = {
  carrier: clearance.DeadlineSource.CARRIER,
  policy: clearance.DeadlineSource.POLICY,
};

const TRIGGER: Readonly<Record<ClearanceTrigger, clearance.ClearanceTrigger>> = {
  customs_released: clearance.ClearanceTrigger.CUSTOMS_RELEASED,
  out_for_delivery: clearance.ClearanceTrigger.OUT_FOR_DELIVERY,
  delivered: clearance.ClearanceTrigger.DELIVERED,
};

const ORIGIN: Readonly<Record<ClearanceCase['origin'], clearance.CaseOrigin>> = {
  tracking_event: clearance.CaseOrigin.TRACKING_EVENT,
  front_desk_report: clearance.CaseOrigin.FRONT_DESK_REPORT,
};

const CHANNEL: Readonly<Record<DocumentsChannel, clearance.DocumentChannel>> = {
  secure_upload: clearance.DocumentChannel.SECURE_UPLOAD,
  steward_assisted: clearance.DocumentChannel.STEWARD_ASSISTED,
};

function identity(c: ClearanceCase, state: CaseState, at: Date) {
  return {
    caseId: c.id,
    tenantId: c.tenantId,
    parcel: create(ParcelRefSchema, {
      parcelId: c.parcel.parcelId,
      carrierCode: c.parcel.carrierCode,
      trackingNumber: c.parcel.trackingNumber,
    }),
    propertyId: c.propertyId ?? '',
    state: STATE[state],
    occurredAt: timestampFromDate(at),
  };
}

/** CaseOpened: the state is OPENED whatever the case moved on to in the same transaction. */
export function caseOpenedEvent(c: ClearanceCase): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'caseOpened',
      value: create(clearance.CaseOpenedSchema, {
        ...identity(c, 'opened', c.openedAt),
        holdReason: HOLD_REASON[c.holdReason],
        requiredDocuments: c.requiredDocuments.map(documentTypeToContract),
        deadline: timestampFromDate(c.deadline),
        deadlineSource: DEADLINE_SOURCE[c.deadlineSource],
        expedited: c.expedited,
        expediteReasons: c.expediteReasons.map((r) => EXPEDITE_REASON[r]),
        origin: ORIGIN[c.origin],
        triggerEventId: c.triggerEventId,
        policyId: c.policyId,
        ...(c.recipientNameDigest
          ? {
              recipientNameDigest: create(common.KeyedDigestSchema, {
                value: c.recipientNameDigest.value,
                keyId: c.recipientNameDigest.keyId,
              }),
            }
          : {}),
      }),
    },
  });
}

export function documentsRequestedEvent(
  c: ClearanceCase,
  round: number,
  at: Date,
  previousRejectionReasons: readonly common.DocumentRejectionReason[] = [],
  /** What this round asks for: after a rejection, only what must be uploaded again. */
  documents: readonly DocumentTypeName[] = c.requiredDocuments,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'documentsRequested',
      value: create(clearance.DocumentsRequestedSchema, {
        ...identity(c, 'awaiting_documents', at),
        requiredDocuments: documents.map(documentTypeToContract),
        deadline: timestampFromDate(c.deadline),
        round,
        expedited: c.expedited,
        previousRejectionReasons: [...previousRejectionReasons],
      }),
    },
  });
}

/** `at` is when the release happened (the tracking event's occurred_at). */
export function caseClearedEvent(
  c: ClearanceCase,
  trigger: ClearanceTrigger,
  triggerEventId: string,
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'caseCleared',
      value: create(clearance.CaseClearedSchema, {
        ...identity(c, 'cleared', at),
        trigger: TRIGGER[trigger],
        triggerEventId,
        openedAt: timestampFromDate(c.openedAt),
      }),
    },
  });
}

/** `at` is when the carrier recorded the return (the tracking event's occurred_at). */
export function caseReturnedToSenderEvent(
  c: ClearanceCase,
  triggerEventId: string,
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'caseReturnedToSender',
      value: create(clearance.CaseReturnedToSenderSchema, {
        ...identity(c, 'returned_to_sender', at),
        triggerEventId,
      }),
    },
  });
}

export function documentsReceivedEvent(
  c: ClearanceCase,
  documentIds: readonly string[],
  uploadRequestId: string,
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'documentsReceived',
      value: create(clearance.DocumentsReceivedSchema, {
        ...identity(c, c.state, at),
        documentIds: [...documentIds],
        uploadRequestId,
        channel: c.documentsChannel ? CHANNEL[c.documentsChannel] : clearance.DocumentChannel.UNSPECIFIED,
        round: c.documentsRound,
      }),
    },
  });
}

export function reviewStartedEvent(
  c: ClearanceCase,
  stewardId: string,
  documentIds: readonly string[],
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'reviewStarted',
      value: create(clearance.ReviewStartedSchema, {
        ...identity(c, 'under_review', at),
        stewardId,
        documentIds: [...documentIds],
      }),
    },
  });
}

/** `c` is the case in REJECTED (before the re-request that usually follows in the same transaction). */
export function documentsRejectedEvent(
  c: ClearanceCase,
  rejection: {
    readonly documentIds: readonly string[];
    readonly reasons: readonly common.DocumentRejectionReason[];
    readonly stewardId: string;
  },
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'documentsRejected',
      value: create(clearance.DocumentsRejectedSchema, {
        ...identity(c, 'rejected', at),
        documentIds: [...rejection.documentIds],
        reasons: [...rejection.reasons],
        rejectedBy: rejection.stewardId ? clearance.Reviewer.STEWARD : clearance.Reviewer.CARRIER,
        stewardId: rejection.stewardId,
        round: c.documentsRound,
      }),
    },
  });
}

export function submittedToCarrierEvent(
  c: ClearanceCase,
  documentIds: readonly string[],
  grantIds: readonly string[],
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'submittedToCarrier',
      value: create(clearance.SubmittedToCarrierSchema, {
        ...identity(c, 'submitted_to_carrier', at),
        documentIds: [...documentIds],
        grantIds: [...grantIds],
      }),
    },
  });
}

export function caseExpiredEvent(c: ClearanceCase, expiredIn: CaseState, at: Date): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'caseExpired',
      value: create(clearance.CaseExpiredSchema, {
        ...identity(c, 'expired', at),
        deadline: timestampFromDate(c.deadline),
        expiredInState: STATE[expiredIn],
      }),
    },
  });
}

export function residentReminderDueEvent(c: ClearanceCase, at: Date): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'residentReminderDue',
      value: create(clearance.ResidentReminderDueSchema, {
        ...identity(c, c.state, at),
        deadline: timestampFromDate(c.deadline),
        // what is actually left, not the rule's nominal lead: expediting moves reminders earlier
        leadTime: durationFromMs(Math.max(0, c.deadline.getTime() - at.getTime())),
        expedited: c.expedited,
      }),
    },
  });
}

export function stewardAckSlaBreachedEvent(
  c: ClearanceCase,
  ackDueAt: Date,
  slaMinutes: number,
  at: Date,
): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'stewardAckSlaBreached',
      value: create(clearance.StewardAckSlaBreachedSchema, {
        ...identity(c, c.state, at),
        ackDueAt: timestampFromDate(ackDueAt),
        sla: durationFromMs(slaMinutes * 60_000),
      }),
    },
  });
}
