import { isParcelId } from '@portico/contracts';
import { z } from 'zod';
import {
  DOCUMENT_SIDES,
  type CaseTransition,
  type ClearanceCase,
  type DeadlineSource,
  type DocumentsChannel,
  type DocumentSide,
  type DocumentTypeName,
  type ExpediteReason,
  type HoldReason,
  type TransitionCause,
} from './case';
import type { CaseState } from './case-state';

/**
 * The JSON shape of a case in the HTTP API. Ids, states and dates only: the recipient's name digest
 * stays internal (no reader needs it), and nothing here is personal data.
 */
export interface CaseView {
  id: string;
  tenantId: string;
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
  holdReason: HoldReason;
  state: CaseState;
  open: boolean;
  requiredDocuments: Array<{ type: DocumentTypeName; sides: DocumentSide[] }>;
  documentsRound: number;
  deadline: string;
  deadlineSource: DeadlineSource;
  expedited: boolean;
  expediteReasons: ExpediteReason[];
  origin: string;
  policyId: string;
  triggerEventId: string;
  holdOccurredAt: string;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  version: number;
  /** null until notification resolved the recipient. */
  propertyId: string | null;
  /** The steward's acknowledgement SLA of the current round, and what became of it. */
  ackDueAt: string | null;
  acknowledgedAt: string | null;
  ackSlaBreachedAt: string | null;
  documentsReceivedAt: string | null;
  documentsChannel: DocumentsChannel | null;
  history: Array<{
    from: CaseState | null;
    to: CaseState;
    at: string;
    cause: TransitionCause;
    causeEventId: string | null;
  }>;
}

export function toCaseView(c: ClearanceCase, history: readonly CaseTransition[]): CaseView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    parcelId: c.parcel.parcelId,
    carrierCode: c.parcel.carrierCode,
    trackingNumber: c.parcel.trackingNumber,
    holdReason: c.holdReason,
    state: c.state,
    open: c.closedAt === null,
    requiredDocuments: c.requiredDocuments.map((type) => ({ type, sides: [...DOCUMENT_SIDES[type]] })),
    documentsRound: c.documentsRound,
    deadline: c.deadline.toISOString(),
    deadlineSource: c.deadlineSource,
    expedited: c.expedited,
    expediteReasons: [...c.expediteReasons],
    origin: c.origin,
    policyId: c.policyId,
    triggerEventId: c.triggerEventId,
    holdOccurredAt: c.holdOccurredAt.toISOString(),
    openedAt: c.openedAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
    version: c.version,
    propertyId: c.propertyId,
    ackDueAt: iso(c.ackDueAt),
    acknowledgedAt: iso(c.acknowledgedAt),
    ackSlaBreachedAt: iso(c.ackSlaBreachedAt),
    documentsReceivedAt: iso(c.documentsReceivedAt),
    documentsChannel: c.documentsChannel,
    history: history
      .filter((t) => t.caseId === c.id)
      .map((t) => ({
        from: t.from,
        to: t.to,
        at: t.at.toISOString(),
        cause: t.cause,
        causeEventId: t.causeEventId,
      })),
  };
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** `GET /v1/cases?parcelId=prc_…` */
export const listCasesQuery = z.object({
  parcelId: z.string().refine(isParcelId, 'must be a parcel id: prc_ followed by 32 hex digits'),
});
export type ListCasesQuery = z.infer<typeof listCasesQuery>;

const CASE_ID = /^cc_[0-9a-f]{32}$/;

/** Whether a string can be a case id at all (anything else is answered 404 without a lookup). */
export function isCaseId(value: string): boolean {
  return CASE_ID.test(value);
}
