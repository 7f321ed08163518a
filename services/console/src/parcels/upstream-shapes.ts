/**
 * The parts of the other services' answers the console reads, typed after their controllers:
 * notification `TaskView` / `ActionView` (services/notification/src/outreach/task-access.ts,
 * task-actions.service.ts), clearance `CaseView` (clearance/src/cases/case-view.ts), id-vault
 * `DocumentSummary` (id-vault/src/review/review.service.ts), claims `ClaimView`
 * (claims/src/claims/claim-view.ts). Fields the console does not use are left out.
 * Answers added since then are HTTP contracts in @portico/contracts (one shape, no copies):
 * notification's messages and task search, carrier-ingestion's tracking history.
 */
export type { MessageView, TaskSearchFields, TaskSearchSteward, TrackingEventView, TrackingEventsPage } from '@portico/contracts';

export interface TaskView {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly caseId: string | null;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly kind: string;
  readonly state: string;
  readonly expedited: boolean;
  readonly deadline: string | null;
  readonly createdAt: string;
  readonly acknowledgedAt?: string | null;
  readonly closedAt?: string | null;
  readonly closeResolution?: string | null;
  readonly escalationLevel: string;
  readonly stewardId?: string | null;
  readonly stewardName?: string;
  readonly residentId?: string | null;
  readonly residentName?: string;
  readonly script?: { readonly text: string; readonly zh: string; readonly en: string; readonly language?: string } | null;
}

export interface ActionView {
  readonly id: string;
  readonly action: string;
  readonly actorId: string | null;
  readonly channel: string | null;
  readonly level: string | null;
  readonly reason?: string | null;
  readonly occurredAt: string;
}

export interface CaseView {
  readonly id: string;
  readonly tenantId: string;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly holdReason: string;
  readonly state: string;
  readonly open: boolean;
  readonly deadline: string;
  readonly expedited: boolean;
  readonly propertyId: string | null;
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly history: ReadonlyArray<{ readonly from: string | null; readonly to: string; readonly at: string; readonly cause: string; readonly causeEventId?: string | null }>;
}

export interface DocumentSummary {
  readonly id: string;
  readonly documentType: string;
  readonly sides: readonly string[];
  readonly status: string;
  readonly attempt: number;
  readonly checks: Readonly<Record<string, unknown>>;
  readonly submittedAt: string;
  readonly reviewedAt: string | null;
  readonly rejectionReason: string | null;
}

export interface ClaimView {
  readonly id: string;
  readonly tenantId: string;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly propertyId: string | null;
  readonly reason: string;
  readonly state: string;
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly lastScanAt: string | null;
  readonly decision: string | null;
  readonly allowedActions: readonly string[];
  readonly history?: ReadonlyArray<{ readonly from: string | null; readonly to: string; readonly at: string; readonly cause: string; readonly actorId: string | null }>;
  readonly log?: ReadonlyArray<{ readonly kind: string; readonly at: string; readonly actorId: string | null }>;
}
