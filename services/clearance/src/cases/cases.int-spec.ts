// clearance against the real broker and Postgres: the service runs as in production (bootstrapService,
// its migrations, its own consumer group), tracking events are published onto the shared
// carrier.tracking.v1 topic the way carrier-ingestion publishes them, and what clearance emits is read
// back from clearance.case.v1. Tracking numbers, tenant and group are unique per run because the
// topics are shared with other suites and with a platform started by `npm run up`.
import { randomBytes } from 'node:crypto';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { context, trace, type Span } from '@opentelemetry/api';
import { SERVICE_NAME_HEADER } from '@portico/auth';
import { carrier, clearance, common, parcelRef } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import type { Client } from 'pg';
import { startClearanceApp, type ClearanceApp } from '../test-support/clearance-app';
import { trackingEvent, type TrackingInit } from '../test-support/clearance-it';

const run = randomBytes(4).toString('hex');
const HOUR = 3_600_000;
const TENANT = `ten_it_${run}`;
const OTHER_TENANT = `ten_other_${run}`;

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('clearance: cases from the tracking stream (real Kafka + Postgres)', () => {
  const parcels = {
    held: parcelRef('it-express', `IT${run}A`),
    inspected: parcelRef('it-express', `IT${run}B`),
  };
  const ourKeys = new Set(Object.values(parcels).map((p) => p.parcelId));
  let app: ClearanceApp;
  let pg: Client;

  const hold = (
    ref: common.ParcelRef,
    at: Date,
    extra: { customsHoldReason?: carrier.CustomsHoldReason; customsDeadline?: undefined } = {},
  ) =>
    tracking(ref, {
      status: carrier.TrackingStatus.CUSTOMS_HOLD,
      customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      occurredAt: timestampFromDate(at),
      customsDeadline: timestampFromDate(new Date(at.getTime() + 72 * HOUR)),
      rawStatusCode: 'CUSTOMS_ID_REQUIRED',
      ...extra,
    });

  /** Publishes one TrackingEventRecorded as carrier-ingestion would, in `span`'s trace when given. */
  async function publish(
    message: ReturnType<typeof tracking>,
    ref: common.ParcelRef,
    options: { eventId?: string; span?: Span } = {},
  ) {
    return app.harness.publishTrackingEvent(message, ref, TENANT, {
      ...(options.eventId ? { eventId: options.eventId } : {}),
      ...(options.span ? { traceContext: trace.setSpan(context.active(), options.span) } : {}),
    });
  }

  const processed = (eventId: string) => app.processed(eventId);

  async function casesOf(parcelId: string) {
    const { rows } = await pg.query(
      `SELECT id, state, hold_key, documents_round, required_documents, deadline_source, last_event_at
         FROM clearance_cases WHERE parcel_id = $1 ORDER BY opened_at`,
      [parcelId],
    );
    return rows;
  }

  const keyed = (parcelId: string) => app.harness.events(parcelId);

  const personToken = (roles: string[], tenantId?: string, propertyIds?: string[]) =>
    app.personToken(roles, tenantId, propertyIds);

  const get = (path: string, headers: Record<string, string> = {}) => app.request('GET', path, { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await startClearanceApp(`cases-${run}`);
    pg = app.pg;
    app.harness.watch(...ourKeys);
  }, 120_000);

  afterAll(() => app?.close(), 60_000);

  let caseId: string;
  const heldAt = new Date(Date.now() - 2 * HOUR);

  it('opens exactly one case for a hold delivered twice and scanned again, and emits CaseOpened + DocumentsRequested in the same trace', async () => {
    const ref = parcels.held;
    const webhookSpan = trace.getTracer('it').startSpan('POST /webhooks/:carrier');
    const first = await publish(hold(ref, heldAt), ref, { span: webhookSpan });
    webhookSpan.end();
    // the same record again (a redelivery) …
    await publish(hold(ref, heldAt), ref, { eventId: first.eventId });
    // … and a second scan of the same hold by the carrier, a new event
    const rescan = await publish(hold(ref, new Date(heldAt.getTime() + 10 * 60_000)), ref);

    await waitFor(async () => (await processed(first.eventId)) && (await processed(rescan.eventId)), {
      timeoutMs: 30_000,
      description: 'both hold events processed',
    });
    const cases = await casesOf(ref.parcelId);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({
      state: 'awaiting_documents',
      hold_key: 'id_documents_required#1',
      documents_round: 1,
      required_documents: ['resident_id_card'],
      deadline_source: 'carrier',
    });
    caseId = cases[0].id;
    expect(caseId).toMatch(/^cc_[0-9a-f]{32}$/);

    await waitFor(() => keyed(ref.parcelId).length >= 2, {
      timeoutMs: 30_000,
      description: 'CaseOpened and DocumentsRequested on clearance.case.v1',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // duplicates would show up by now
    const records = keyed(ref.parcelId);
    expect(records.map((r) => r.event.event.case)).toEqual(['caseOpened', 'documentsRequested']);
    const traceId = webhookSpan.spanContext().traceId;
    for (const r of records) {
      expect(r.headers['tenant-id']).toBe(TENANT);
      expect(r.headers['schema']).toBe('portico.clearance.v1.ClearanceCaseEvent');
      expect(r.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    }
    expect(records.map((r) => r.headers['event-type'])).toEqual([
      'portico.clearance.v1.CaseOpened',
      'portico.clearance.v1.DocumentsRequested',
    ]);

    const opened = records[0]!.event.event.value as clearance.CaseOpened;
    expect(opened).toMatchObject({
      caseId,
      tenantId: TENANT,
      state: clearance.CaseState.OPENED,
      holdReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
      deadlineSource: clearance.DeadlineSource.CARRIER,
      origin: clearance.CaseOrigin.TRACKING_EVENT,
      triggerEventId: first.eventId,
      policyId: 'pol_default_cn',
      expedited: false,
    });
    expect(opened.parcel).toMatchObject({ parcelId: ref.parcelId, trackingNumber: ref.trackingNumber });
    expect(timestampDate(opened.deadline!)).toEqual(new Date(heldAt.getTime() + 72 * HOUR));
    const requested = records[1]!.event.event.value as clearance.DocumentsRequested;
    expect(requested).toMatchObject({ caseId, round: 1, state: clearance.CaseState.AWAITING_DOCUMENTS });

    // the handler's span is findable by parcel and case
    const handled = app.spans
      .getFinishedSpans()
      .find((s) => s.spanContext().traceId === traceId && s.attributes['portico.case_id'] === caseId);
    expect(handled?.attributes['portico.parcel_id']).toBe(ref.parcelId);
  });

  it('clears the case on customs release, emits CaseCleared, and ignores an older hold afterwards', async () => {
    const ref = parcels.held;
    const releasedAt = new Date(heldAt.getTime() + HOUR);
    const release = await publish(
      tracking(ref, {
        status: carrier.TrackingStatus.CUSTOMS_RELEASED,
        occurredAt: timestampFromDate(releasedAt),
        rawStatusCode: 'CUSTOMS_RELEASED',
      }),
      ref,
    );
    // a scan of the hold from before the release, delivered late: must not open a second case
    const stale = await publish(hold(ref, new Date(heldAt.getTime() + 30 * 60_000)), ref);

    await waitFor(() => processed(stale.eventId), {
      timeoutMs: 30_000,
      description: 'the stale hold processed',
    });
    const cases = await casesOf(ref.parcelId);
    expect(cases.map((c) => [c.id, c.state])).toEqual([[caseId, 'cleared']]);

    await waitFor(() => keyed(ref.parcelId).length >= 3, { timeoutMs: 30_000, description: 'CaseCleared' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const records = keyed(ref.parcelId);
    expect(records.map((r) => r.event.event.case)).toEqual([
      'caseOpened',
      'documentsRequested',
      'caseCleared',
    ]);
    const cleared = records[2]!.event.event.value as clearance.CaseCleared;
    expect(cleared).toMatchObject({
      caseId,
      state: clearance.CaseState.CLEARED,
      trigger: clearance.ClearanceTrigger.CUSTOMS_RELEASED,
      triggerEventId: release.eventId,
    });
    expect(timestampDate(cleared.occurredAt!)).toEqual(releasedAt);

    // one log line per transition, with ids and states only
    const transitions = app.log
      .text()
      .split('\n')
      .filter((line) => line.includes(`"caseId":"${caseId}"`) && line.includes('"from"'));
    expect(transitions.map((line) => JSON.parse(line).msg)).toEqual([
      'case created -> opened',
      'case opened -> awaiting_documents',
      'case awaiting_documents -> cleared',
    ]);

    const metrics = await app.metrics();
    expect(metrics).toMatch(
      /portico_clearance_cases_opened_total\{[^}]*hold_reason="id_documents_required"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/portico_clearance_cases_closed_total\{[^}]*outcome="cleared"[^}]*\} [1-9]/);
  });

  it('opens an inspection case without requesting documents', async () => {
    const ref = parcels.inspected;
    const event = await publish(
      hold(ref, new Date(), {
        customsHoldReason: carrier.CustomsHoldReason.INSPECTION,
        customsDeadline: undefined,
      }),
      ref,
    );
    await waitFor(() => processed(event.eventId), { timeoutMs: 30_000, description: 'the inspection hold' });
    expect((await casesOf(ref.parcelId)).map((c) => [c.state, c.deadline_source])).toEqual([
      ['opened', 'policy'],
    ]);
    await waitFor(() => keyed(ref.parcelId).length >= 1, { timeoutMs: 30_000, description: 'CaseOpened' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(keyed(ref.parcelId).map((r) => r.event.event.case)).toEqual(['caseOpened']);
  });

  it('answers the case over HTTP to its tenant, operators and notification only', async () => {
    const ref = parcels.held;
    const steward = bearer(await personToken(['steward'], TENANT));
    const list = await get(`/v1/cases?parcelId=${ref.parcelId}`, steward);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const [view] = list.body.items;
    expect(view).toMatchObject({
      id: caseId,
      tenantId: TENANT,
      parcelId: ref.parcelId,
      holdReason: 'id_documents_required',
      state: 'cleared',
      open: false,
      requiredDocuments: [{ type: 'resident_id_card', sides: ['front', 'back'] }],
      deadline: new Date(heldAt.getTime() + 72 * HOUR).toISOString(),
      deadlineSource: 'carrier',
      expedited: false,
      expediteReasons: [],
    });
    expect(view.history.map((h: Json) => [h.from, h.to, h.cause])).toEqual([
      [null, 'opened', 'customs_hold'],
      ['opened', 'awaiting_documents', 'customs_hold'],
      ['awaiting_documents', 'cleared', 'customs_released'],
    ]);

    const one = await get(`/v1/cases/${caseId}`, steward);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(view);

    const asNotification = await get(`/v1/cases/${caseId}`, {
      ...bearer(app.harness.notificationToken),
      [SERVICE_NAME_HEADER]: 'notification',
    });
    expect(asNotification.status).toBe(200);
    expect((await get(`/v1/cases/${caseId}`, bearer(await personToken(['operator'])))).status).toBe(200);

    const stranger = bearer(await personToken(['manager'], OTHER_TENANT));
    expect((await get(`/v1/cases?parcelId=${ref.parcelId}`, stranger)).body).toEqual({ items: [] });
    expect((await get(`/v1/cases/${caseId}`, stranger)).body.error.code).toBe('tenant_mismatch');

    const missing = await get(`/v1/cases/cc_${'0'.repeat(32)}`, steward);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: 'case_not_found',
      message: { en: expect.any(String), zh: expect.any(String) },
    });
    expect((await get(`/v1/cases?parcelId=${ref.trackingNumber}`, steward)).body.error.code).toBe(
      'validation_failed',
    );
    expect((await get(`/v1/cases/${caseId}`)).status).toBe(401);
  });

  it("shows a case whose property is known only to that property's stewards", async () => {
    const ref = parcels.held;
    // notification resolved the recipient: the case belongs to prop_a from now on
    const resolved = await app.harness.publishOutreach(ref, {
      case: 'recipientResolved',
      value: {
        tenantId: TENANT,
        parcel: ref,
        propertyId: 'prop_a',
        occurredAt: timestampFromDate(new Date()),
      },
    });
    await app.harness.waitProcessed(resolved.eventId, 'recipient resolved');
    const ours = bearer(await personToken(['steward'], TENANT, ['prop_a']));
    const neighbours = bearer(await personToken(['steward'], TENANT, ['prop_b']));
    const manager = bearer(await personToken(['manager'], TENANT, ['prop_b', 'prop_a']));

    expect((await get(`/v1/cases?parcelId=${ref.parcelId}`, ours)).body.items.map((c: Json) => c.id)).toEqual(
      [caseId],
    );
    expect((await get(`/v1/cases/${caseId}`, ours)).status).toBe(200);
    expect((await get(`/v1/cases/${caseId}`, manager)).status).toBe(200);
    // a steward of another property of the same tenant sees nothing of it
    expect((await get(`/v1/cases?parcelId=${ref.parcelId}`, neighbours)).body).toEqual({ items: [] });
    const refused = await get(`/v1/cases/${caseId}`, neighbours);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('tenant_mismatch');
  });
});

function tracking(ref: common.ParcelRef, init: TrackingInit) {
  return trackingEvent(ref, TENANT, init);
}
