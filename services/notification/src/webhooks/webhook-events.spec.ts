import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, clearance, common, notification, parcelRef } from '@portico/contracts';
import {
  ALL_WEBHOOK_EVENT_TYPES,
  ALLOWED_FIELDS,
  EXCLUDED_FIELDS,
  toWebhookPayload,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_SOURCE_EVENTS,
} from './webhook-events';

const parcel = parcelRef('sf-express', 'SF1234567890');
const at = new Date('2026-12-01T08:00:00.000Z');
const meta = { eventId: '0193a0c0-0000-7000-8000-000000000001', tenantId: 'ten_1', occurredAt: at };

describe('webhook payloads', () => {
  it('has a webhook type for every event of the source streams, and the types are unique', () => {
    expect([...WEBHOOK_SOURCE_EVENTS.keys()].sort()).toEqual(Object.keys(WEBHOOK_EVENT_TYPES).sort());
    expect(new Set(ALL_WEBHOOK_EVENT_TYPES).size).toBe(ALL_WEBHOOK_EVENT_TYPES.length);
    for (const t of ALL_WEBHOOK_EVENT_TYPES) expect(t).toMatch(/^(clearance|outreach)\.[a-z_]+\.[a-z_]+$/);
  });

  it('has decided on every field of every source event (a new proto field fails here until someone does)', () => {
    const undecided: string[] = [];
    for (const [typeName, desc] of WEBHOOK_SOURCE_EVENTS) {
      for (const f of desc.fields) {
        if (!ALLOWED_FIELDS.has(f.localName) && !EXCLUDED_FIELDS.has(f.localName)) {
          undecided.push(`${typeName}.${f.localName}`);
        }
      }
    }
    expect(undecided).toEqual([]);
  });

  it('renders a clearance case opening with ids, states, times, tracking number and carrier code', () => {
    const digest = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    const event = create(clearance.CaseOpenedSchema, {
      caseId: 'case_1',
      tenantId: 'ten_1',
      parcel,
      propertyId: 'prop_a',
      state: clearance.CaseState.AWAITING_DOCUMENTS,
      occurredAt: timestampFromDate(at),
      holdReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
      deadline: timestampFromDate(new Date('2026-12-04T08:00:00Z')),
      deadlineSource: clearance.DeadlineSource.CARRIER,
      expedited: true,
      expediteReasons: [clearance.ExpediteReason.HIGH_VALUE],
      origin: clearance.CaseOrigin.TRACKING_EVENT,
      recipientNameDigest: create(common.KeyedDigestSchema, { value: digest, keyId: 'k1' }),
    });
    const payload = toWebhookPayload(event, meta)!;
    expect(payload).toEqual({
      type: 'clearance.case.opened',
      version: 1,
      eventId: meta.eventId,
      timestamp: '2026-12-01T08:00:00.000Z',
      tenantId: 'ten_1',
      data: {
        caseId: 'case_1',
        tenantId: 'ten_1',
        parcel: { parcelId: parcel.parcelId, carrierCode: 'sf-express', trackingNumber: 'SF1234567890' },
        propertyId: 'prop_a',
        state: 'awaiting_documents',
        occurredAt: '2026-12-01T08:00:00.000Z',
        holdReason: 'id_documents_required',
        requiredDocuments: ['resident_id_card'],
        deadline: '2026-12-04T08:00:00.000Z',
        deadlineSource: 'carrier',
        expedited: true,
        expediteReasons: ['high_value'],
        origin: 'tracking_event',
        triggerEventId: '',
        policyId: '',
      },
    });
    expect(JSON.stringify(payload)).not.toMatch(/recipientNameDigest|3q2\+7w|deadbeef/i);
  });

  it('renders outreach events, durations in seconds and unset enums as null', () => {
    const created = toWebhookPayload(
      create(notification.OutreachTaskCreatedSchema, {
        taskId: 'ot_1',
        tenantId: 'ten_1',
        parcel,
        propertyId: 'prop_a',
        caseId: 'case_1',
        occurredAt: timestampFromDate(at),
        kind: notification.OutreachKind.DOCUMENTS_REQUESTED,
        stewardId: 'stf_1',
        residentId: 'res_1',
        ackDueAt: timestampFromDate(new Date('2026-12-01T10:00:00Z')),
      }),
      meta,
    )!;
    expect(created.type).toBe('outreach.task.created');
    expect(created.data).toMatchObject({
      taskId: 'ot_1',
      kind: 'documents_requested',
      stewardId: 'stf_1',
      residentId: 'res_1',
      ackDueAt: '2026-12-01T10:00:00.000Z',
      deadline: null,
      expedited: false,
    });
    const reminder = toWebhookPayload(
      create(clearance.ResidentReminderDueSchema, {
        caseId: 'case_1',
        tenantId: 'ten_1',
        parcel,
        leadTime: durationFromMs(3_600_000),
      }),
      meta,
    )!;
    expect(reminder.data).toMatchObject({ leadTimeSeconds: 3600, state: null });
  });

  it('names the subscriber tenant that matched, even when the event field is empty', () => {
    const p = toWebhookPayload(create(clearance.CaseClearedSchema, { caseId: 'c', parcel }), meta)!;
    expect(p.tenantId).toBe('ten_1');
    expect(p.data.tenantId).toBe('ten_1');
  });

  it('ignores events that are not webhook sources', () => {
    const tracking = create(carrier.TrackingEventRecordedSchema, { parcel, tenantId: 'ten_1' });
    expect(toWebhookPayload(tracking, meta)).toBeUndefined();
  });
});
