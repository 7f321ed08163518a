import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { claims, ClaimEventSchema, common, ParcelRefSchema, type ClaimEvent } from '@portico/contracts';
import type { Money } from '../parcels/parcel';
import type { CustomerDecision } from '../settings/claim-settings';
import type {
  CarrierChannel,
  Claim,
  ClaimOrigin,
  ClaimOutcome,
  ClaimReason,
  CloseReason,
  InquiryOutcome,
  ServiceLevelName,
  VerificationOutcome,
  VerificationSource,
} from './claim';
import type { ClaimState } from './claim-state';

/**
 * claims.claim.v1 events from claims' own vocabulary: the only place (with tracking-observation.ts)
 * that speaks protobuf. Every event carries ids, states, reasons and money, never personal data.
 */
const STATE: Readonly<Record<ClaimState, claims.ClaimState>> = {
  detected: claims.ClaimState.DETECTED,
  verifying: claims.ClaimState.VERIFYING,
  carrier_inquiry: claims.ClaimState.CARRIER_INQUIRY,
  awaiting_customer_decision: claims.ClaimState.AWAITING_CUSTOMER_DECISION,
  filed: claims.ClaimState.FILED,
  in_review: claims.ClaimState.IN_REVIEW,
  resolved: claims.ClaimState.RESOLVED,
  closed: claims.ClaimState.CLOSED,
};
const REASON: Readonly<Record<ClaimReason, claims.ClaimReason>> = {
  no_scan: claims.ClaimReason.NO_SCAN,
  past_estimated_delivery: claims.ClaimReason.PAST_ESTIMATED_DELIVERY,
  not_received: claims.ClaimReason.NOT_RECEIVED,
  carrier_lost: claims.ClaimReason.CARRIER_LOST,
  carrier_damaged: claims.ClaimReason.CARRIER_DAMAGED,
  carrier_returned: claims.ClaimReason.CARRIER_RETURNED,
  damaged_on_arrival: claims.ClaimReason.DAMAGED_ON_ARRIVAL,
};
const ORIGIN: Readonly<Record<ClaimOrigin, claims.ClaimOrigin>> = {
  detection: claims.ClaimOrigin.DETECTION,
  resident: claims.ClaimOrigin.RESIDENT,
  front_desk: claims.ClaimOrigin.FRONT_DESK,
  operator: claims.ClaimOrigin.OPERATOR,
};
const SOURCE: Readonly<Record<VerificationSource, claims.VerificationSource>> = {
  property_desk: claims.VerificationSource.PROPERTY_DESK,
  parcel_locker: claims.VerificationSource.PARCEL_LOCKER,
  neighbours: claims.VerificationSource.NEIGHBOURS,
  recipient: claims.VerificationSource.RECIPIENT,
  other: claims.VerificationSource.OTHER,
};
const VERIFICATION: Readonly<Record<VerificationOutcome, claims.VerificationOutcome>> = {
  not_found: claims.VerificationOutcome.NOT_FOUND,
  found: claims.VerificationOutcome.FOUND,
  no_answer: claims.VerificationOutcome.NO_ANSWER,
};
const CHANNEL: Readonly<Record<CarrierChannel, claims.CarrierChannel>> = {
  api: claims.CarrierChannel.API,
  email: claims.CarrierChannel.EMAIL,
};
const INQUIRY: Readonly<Record<InquiryOutcome, claims.InquiryOutcome>> = {
  located: claims.InquiryOutcome.LOCATED,
  not_located: claims.InquiryOutcome.NOT_LOCATED,
  confirmed_lost: claims.InquiryOutcome.CONFIRMED_LOST,
  confirmed_damaged: claims.InquiryOutcome.CONFIRMED_DAMAGED,
  no_response: claims.InquiryOutcome.NO_RESPONSE,
};
const DECISION: Readonly<Record<CustomerDecision, claims.CustomerDecision>> = {
  reship: claims.CustomerDecision.RESHIP,
  refund: claims.CustomerDecision.REFUND,
  coupon: claims.CustomerDecision.COUPON,
};
const OUTCOME: Readonly<Record<ClaimOutcome, claims.ClaimOutcome>> = {
  approved: claims.ClaimOutcome.APPROVED,
  partially_approved: claims.ClaimOutcome.PARTIALLY_APPROVED,
  rejected: claims.ClaimOutcome.REJECTED,
};
const CLOSE: Readonly<Record<CloseReason, claims.CloseReason>> = {
  resolved: claims.CloseReason.RESOLVED,
  parcel_found: claims.CloseReason.PARCEL_FOUND,
  withdrawn: claims.CloseReason.WITHDRAWN,
  cancelled: claims.CloseReason.CANCELLED,
  settled_without_filing: claims.CloseReason.SETTLED_WITHOUT_FILING,
};
export const SERVICE_LEVEL: Readonly<Record<ServiceLevelName, claims.ServiceLevel>> = {
  acknowledgement: claims.ServiceLevel.ACKNOWLEDGEMENT,
  customer_explanation: claims.ServiceLevel.CUSTOMER_EXPLANATION,
  damage_assessment: claims.ServiceLevel.DAMAGE_ASSESSMENT,
  customer_decision: claims.ServiceLevel.CUSTOMER_DECISION,
  carrier_response: claims.ServiceLevel.CARRIER_RESPONSE,
};

function identity(c: Claim, at: Date) {
  return {
    claimId: c.id,
    tenantId: c.tenantId,
    parcel: create(ParcelRefSchema, {
      parcelId: c.parcel.parcelId,
      carrierCode: c.parcel.carrierCode,
      trackingNumber: c.parcel.trackingNumber,
    }),
    propertyId: c.propertyId ?? '',
    state: STATE[c.state],
    occurredAt: timestampFromDate(at),
  };
}

function money(m: Money | null | undefined) {
  return m
    ? create(common.MoneySchema, { currencyCode: m.currencyCode, amountMinor: m.amountMinor })
    : undefined;
}

function dateOf(iso: string | null) {
  if (!iso) return undefined;
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return create(common.CalendarDateSchema, { year, month, day });
}

type Event = NonNullable<ClaimEvent['event']>;
function wrap(event: Event): ClaimEvent {
  return create(ClaimEventSchema, { event });
}

export function claimOpenedEvent(
  c: Claim,
  facts: { estimatedDelivery: string | null; declaredValue: Money | null; insuredValue: Money | null },
): ClaimEvent {
  return wrap({
    case: 'claimOpened',
    value: create(claims.ClaimOpenedSchema, {
      ...identity(c, c.openedAt),
      reason: REASON[c.reason],
      origin: ORIGIN[c.origin],
      ruleId: c.ruleId,
      incidentKey: c.incidentKey,
      ...(c.lastScanAt ? { lastScanAt: timestampFromDate(c.lastScanAt) } : {}),
      estimatedDelivery: dateOf(facts.estimatedDelivery),
      declaredValue: money(facts.declaredValue),
      insuredValue: money(facts.insuredValue),
      triggerEventId: c.triggerEventId,
    }),
  });
}

export function verificationRecordedEvent(
  c: Claim,
  source: VerificationSource,
  outcome: VerificationOutcome,
  recordedById: string,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'verificationRecorded',
    value: create(claims.VerificationRecordedSchema, {
      ...identity(c, at),
      source: SOURCE[source],
      outcome: VERIFICATION[outcome],
      recordedById,
    }),
  });
}

export function carrierInquirySentEvent(
  c: Claim,
  inquiryId: string,
  channel: CarrierChannel,
  carrierReference: string,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'carrierInquirySent',
    value: create(claims.CarrierInquirySentSchema, {
      ...identity(c, at),
      inquiryId,
      channel: CHANNEL[channel],
      carrierReference,
    }),
  });
}

export function carrierInquiryAnsweredEvent(
  c: Claim,
  inquiryId: string,
  outcome: InquiryOutcome,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'carrierInquiryAnswered',
    value: create(claims.CarrierInquiryAnsweredSchema, {
      ...identity(c, at),
      inquiryId,
      outcome: INQUIRY[outcome],
    }),
  });
}

export function customerDecisionRecordedEvent(
  c: Claim,
  decision: CustomerDecision,
  defaulted: boolean,
  decidedById: string,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'customerDecisionRecorded',
    value: create(claims.CustomerDecisionRecordedSchema, {
      ...identity(c, at),
      decision: DECISION[decision],
      defaulted,
      decidedById,
    }),
  });
}

export function claimFiledEvent(
  c: Claim,
  f: {
    filingId: string;
    channel: CarrierChannel;
    claimed: Money;
    evidenceBundleId: string;
    manifestSha256: Buffer;
    carrierReference: string;
  },
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'claimFiled',
    value: create(claims.ClaimFiledSchema, {
      ...identity(c, at),
      filingId: f.filingId,
      channel: CHANNEL[f.channel],
      claimedAmount: money(f.claimed),
      evidenceBundleId: f.evidenceBundleId,
      evidenceManifestSha256: new Uint8Array(f.manifestSha256),
      carrierReference: f.carrierReference,
    }),
  });
}

export function claimUnderReviewEvent(
  c: Claim,
  filingId: string,
  carrierReference: string,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'claimUnderReview',
    value: create(claims.ClaimUnderReviewSchema, { ...identity(c, at), filingId, carrierReference }),
  });
}

export function claimResolvedEvent(
  c: Claim,
  outcome: ClaimOutcome,
  amount: Money,
  filingId: string,
  carrierReference: string,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'claimResolved',
    value: create(claims.ClaimResolvedSchema, {
      ...identity(c, at),
      outcome: OUTCOME[outcome],
      amount: money(amount),
      filingId,
      carrierReference,
    }),
  });
}

export function claimClosedEvent(c: Claim, reason: CloseReason, at: Date): ClaimEvent {
  return wrap({
    case: 'claimClosed',
    value: create(claims.ClaimClosedSchema, {
      ...identity(c, at),
      reason: CLOSE[reason],
      openedAt: timestampFromDate(c.openedAt),
    }),
  });
}

export function serviceLevelBreachedEvent(
  c: Claim,
  level: ServiceLevelName,
  dueAt: Date,
  targetMinutes: number,
  at: Date,
): ClaimEvent {
  return wrap({
    case: 'serviceLevelBreached',
    value: create(claims.ServiceLevelBreachedSchema, {
      ...identity(c, at),
      serviceLevel: SERVICE_LEVEL[level],
      dueAt: timestampFromDate(dueAt),
      target: durationFromMs(targetMinutes * 60_000),
    }),
  });
}
