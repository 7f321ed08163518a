import { maySee } from './parcel-scope';
import { mergeParcelTimeline } from './parcel-timeline';
import type { CaseView, ClaimView, DocumentSummary, MessageView, TaskView, TrackingEventView } from './upstream-shapes';

const PARCEL = 'prc_0123456789abcdef0123456789abcdef';

const caseView: CaseView = {
  id: 'cc_1',
  tenantId: 'ten_1',
  parcelId: PARCEL,
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  holdReason: 'id_documents_required',
  state: 'under_review',
  open: true,
  deadline: '2026-12-05T00:00:00.000Z',
  expedited: false,
  propertyId: 'prop_a',
  openedAt: '2026-12-01T08:00:00.000Z',
  closedAt: null,
  history: [
    { from: null, to: 'opened', at: '2026-12-01T08:00:00.000Z', cause: 'customs_hold', causeEventId: 'evt_hold' },
    { from: 'opened', to: 'awaiting_documents', at: '2026-12-01T08:00:00.000Z', cause: 'customs_hold', causeEventId: 'evt_hold' },
    { from: 'awaiting_documents', to: 'documents_received', at: '2026-12-01T10:00:00.000Z', cause: 'documents_submitted' },
  ],
};

const task: TaskView = {
  id: 'ot_1',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'cc_1',
  parcelId: PARCEL,
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  kind: 'documents_requested',
  state: 'acknowledged',
  expedited: false,
  deadline: '2026-12-05T00:00:00.000Z',
  createdAt: '2026-12-01T08:00:00.000Z',
  closedAt: null,
  escalationLevel: 'steward',
  residentName: '欧阳明哲',
  script: { text: '欧阳明哲您好', zh: '欧阳明哲您好', en: 'Hello 欧阳明哲' },
};

const doc: DocumentSummary = {
  id: 'doc_1',
  documentType: 'resident_id_card',
  sides: ['front', 'back'],
  status: 'rejected',
  attempt: 1,
  checks: { sharpness: 'ok' },
  submittedAt: '2026-12-01T10:00:00.000Z',
  reviewedAt: '2026-12-01T11:00:00.000Z',
  rejectionReason: 'unreadable',
};

const claim: ClaimView = {
  id: 'clm_1',
  tenantId: 'ten_1',
  parcelId: PARCEL,
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  propertyId: 'prop_a',
  reason: 'no_scan',
  state: 'awaiting_customer_decision',
  openedAt: '2026-12-03T00:00:00.000Z',
  closedAt: null,
  lastScanAt: '2026-11-30T00:00:00.000Z',
  decision: null,
  allowedActions: ['file', 'settle', 'found', 'withdraw', 'cancel'],
  history: [{ from: null, to: 'opened', at: '2026-12-03T00:00:00.000Z', cause: 'no_scan_rule', actorId: null }],
  log: [{ kind: 'decision_requested', at: '2026-12-03T01:00:00.000Z', actorId: 'stf_1' }],
};

describe('mergeParcelTimeline', () => {
  const timeline = mergeParcelTimeline({
    tasks: [task],
    actions: new Map([[task.id, [{ id: 'a1', action: 'acknowledged', actorId: 'stf_1', channel: null, level: 'steward', occurredAt: '2026-12-01T08:05:00.000Z' }]]]),
    cases: [caseView],
    documents: new Map([[caseView.id, [doc]]]),
    claims: [claim],
  });

  it('puts every source on one line, oldest first, one line per carrier scan', () => {
    expect(timeline.map((e) => `${e.at.slice(5, 16)} ${e.source} ${e.kind} ${e.code}`)).toEqual([
      '11-30T00:00 tracking last_scan last_scan',
      '12-01T08:00 tracking scan customs_hold',
      '12-01T08:00 clearance case_state opened',
      '12-01T08:00 clearance case_state awaiting_documents',
      '12-01T08:00 notification task_created documents_requested',
      '12-01T08:05 notification task_action acknowledged',
      '12-01T10:00 clearance case_state documents_received',
      '12-01T10:00 id-vault document_submitted resident_id_card',
      '12-01T11:00 id-vault document_reviewed rejected',
      '12-03T00:00 claims claim_state opened',
      '12-03T01:00 claims claim_log decision_requested',
    ]);
  });

  it('keeps the references a one-click action needs and the reason of a rejection', () => {
    const reviewed = timeline.find((e) => e.kind === 'document_reviewed')!;
    expect(reviewed).toMatchObject({ ref: { caseId: 'cc_1', documentId: 'doc_1' }, detail: 'unreadable' });
    expect(timeline.find((e) => e.kind === 'task_action')).toMatchObject({ ref: { taskId: 'ot_1', caseId: 'cc_1' }, actorId: 'stf_1' });
  });

  it('carries no name or script text, whatever the task held', () => {
    expect(JSON.stringify(timeline)).not.toContain('欧阳明哲');
  });

  it('is empty for a parcel nobody knows and shows a claim without history by its opening', () => {
    expect(mergeParcelTimeline({ tasks: [], actions: new Map(), cases: [], documents: new Map(), claims: [] })).toEqual([]);
    const bare = mergeParcelTimeline({ tasks: [], actions: new Map(), cases: [], documents: new Map(), claims: [{ ...claim, history: undefined, log: undefined, lastScanAt: null }] });
    expect(bare).toEqual([expect.objectContaining({ source: 'claims', code: 'opened', detail: 'no_scan' })]);
  });
});

const scan = (status: string, occurredAt: string, over: Partial<TrackingEventView> = {}): TrackingEventView => ({
  status,
  holdReason: status === 'customs_hold' ? 'id_documents_required' : null,
  exceptionReason: null,
  location: { countryCode: 'CN', region: 'Guangdong', city: 'Shenzhen', postalCode: '', description: 'Shenzhen Airport Hub' },
  occurredAt,
  receivedAt: occurredAt,
  late: false,
  carrierCode: 'sf-express',
  carrierStatus: { code: '30', description: 'arrived' },
  ...over,
});

const message: MessageView = {
  id: 'msg_1',
  taskId: 'ot_1',
  caseId: 'cc_1',
  parcelId: PARCEL,
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  recipientRole: 'resident',
  templateRef: 'resident-documents-requested@1',
  language: 'zh',
  status: 'sent',
  channel: 'email',
  channelPlan: ['sms', 'email'],
  attempts: 2,
  failedOverFrom: ['sms'],
  queuedAt: '2026-12-01T08:00:00.000Z',
  sentAt: '2026-12-01T08:02:00.000Z',
  deliveredAt: null,
  failedAt: null,
  lastErrorCode: null,
  attemptLog: [
    { attempt: 1, channel: 'sms', startedAt: '2026-12-01T08:00:30.000Z', finishedAt: '2026-12-01T08:01:00.000Z', outcome: 'failed', errorCode: 'isv.MOBILE_NUMBER_ILLEGAL' },
    { attempt: 2, channel: 'email', startedAt: '2026-12-01T08:01:30.000Z', finishedAt: '2026-12-01T08:02:00.000Z', outcome: 'sent', errorCode: null },
  ],
};

describe('mergeParcelTimeline with the tracking history and messages', () => {
  const timeline = mergeParcelTimeline({
    tasks: [task],
    actions: new Map(),
    cases: [caseView],
    documents: new Map(),
    claims: [claim],
    messages: [message],
    tracking: [scan('in_transit', '2026-11-29T00:00:00.000Z'), scan('customs_hold', '2026-12-01T08:00:00.000Z'), scan('info_received', '2026-11-28T00:00:00.000Z', { late: true })],
  });

  it("uses carrier-ingestion's scans instead of those read off the case and claim (no line twice)", () => {
    const tracking = timeline.filter((e) => e.source === 'tracking');
    expect(tracking.map((e) => `${e.code}${e.late ? ' late' : ''} ${e.place}`)).toEqual([
      'info_received late Shenzhen Airport Hub',
      'in_transit Shenzhen Airport Hub',
      'customs_hold Shenzhen Airport Hub',
    ]);
    expect(tracking[2]).toMatchObject({ kind: 'scan', detail: 'id_documents_required' });
  });

  it("falls back to the case's and claim's scans when the history did not answer or is empty", () => {
    for (const tracking of [null, []]) {
      const fallback = mergeParcelTimeline({ tasks: [], actions: new Map(), cases: [caseView], documents: new Map(), claims: [claim], tracking });
      expect(fallback.filter((e) => e.source === 'tracking').map((e) => e.kind)).toEqual(['last_scan', 'scan']);
    }
  });

  it('shows a message queued, its failed attempt (failover), then sent, by role and channel only', () => {
    expect(timeline.filter((e) => e.kind.startsWith('message_')).map((e) => `${e.at.slice(11, 16)} ${e.kind} ${e.detail}`)).toEqual([
      '08:00 message_queued resident',
      '08:01 message_attempt_failed sms:isv.MOBILE_NUMBER_ILLEGAL',
      '08:02 message_sent email',
    ]);
    expect(timeline.find((e) => e.kind === 'message_sent')).toMatchObject({ ref: { messageId: 'msg_1', taskId: 'ot_1', caseId: 'cc_1' } });
    expect(JSON.stringify(timeline)).not.toContain('欧阳明哲');
  });
});

describe('maySee', () => {
  const steward = { roles: ['steward'] as const, tenantId: 'ten_1', propertyIds: ['prop_a'] };
  it("lets a steward see their own properties only, never another tenant's", () => {
    expect(maySee(steward, { tenantId: 'ten_1', propertyId: 'prop_a' })).toBe(true);
    expect(maySee(steward, { tenantId: 'ten_1', propertyId: 'prop_b' })).toBe(false);
    expect(maySee(steward, { tenantId: 'ten_2', propertyId: 'prop_a' })).toBe(false);
  });
  it('keeps records without a property for managers, and lets operators see all', () => {
    expect(maySee(steward, { tenantId: 'ten_1', propertyId: null })).toBe(false);
    expect(maySee({ ...steward, roles: ['manager'] }, { tenantId: 'ten_1', propertyId: null })).toBe(true);
    expect(maySee({ roles: ['operator'], tenantId: null, propertyIds: [] }, { tenantId: 'ten_9', propertyId: 'prop_z' })).toBe(true);
  });
});
