import type { ClearanceCase } from '../cases/case';

export const FIXTURE_PARCEL_ID = 'prc_0123456789abcdef0123456789abcdef';
export const FIXTURE_TIME = new Date('2026-11-24T06:00:00Z');

/** A case awaiting ID-card documents, opened at FIXTURE_TIME with a 72 h deadline (for unit specs). */
export function aCase(id: string, tenantId: string, overrides: Partial<ClearanceCase> = {}): ClearanceCase {
  const T = FIXTURE_TIME;
  return {
    id,
    tenantId,
    parcel: { parcelId: FIXTURE_PARCEL_ID, carrierCode: 'sf-express', trackingNumber: 'SF1' },
    holdReason: 'id_documents_required',
    holdKey: 'id_documents_required#1',
    state: 'awaiting_documents',
    requiredDocuments: ['resident_id_card'],
    documentsRound: 1,
    deadline: new Date(T.getTime() + 72 * 3_600_000),
    deadlineSource: 'policy',
    expedited: false,
    expediteReasons: [],
    origin: 'tracking_event',
    policyId: 'pol_default_cn',
    triggerEventId: 'evt-1',
    recipientNameDigest: { value: new Uint8Array([9, 9]), keyId: 'k1' },
    holdOccurredAt: T,
    lastEventAt: T,
    openedAt: T,
    updatedAt: T,
    closedAt: null,
    version: 1,
    propertyId: null,
    ackDueAt: new Date(T.getTime() + 2 * 3_600_000),
    acknowledgedAt: null,
    ackSlaBreachedAt: null,
    documentsReceivedAt: null,
    documentsChannel: null,
    timerRules: null,
    ...overrides,
  };
}
