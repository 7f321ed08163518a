import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, notification } from '@portico/contracts';
import { create } from '@bufbuild/protobuf';
import { waitFor } from '@portico/testing';
import { ClaimsHarness } from '../test-support/claims-harness';

jest.setTimeout(120_000);

const DAY = 86_400_000;
// Seeded personal data: carrier-ingestion should never pass these on, but a careless adapter
// might; claims must not keep, log, trace or publish any of it.
const PII = ['张三丰', '13800138000', '幸福路88号3-1802', 'zhang.sanfeng@example.com'];

describe('claims: projection, detection, workflow, self-service (real Kafka + Postgres)', () => {
  let h: ClaimsHarness;

  beforeAll(async () => {
    h = await ClaimsHarness.start('core');
    await h.startInstance();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const claimsOf = (parcelId: string) =>
    h.query<{ id: string; state: string; reason: string; close_reason: string | null; incident_key: string }>(
      `SELECT id, state, reason, close_reason, incident_key FROM claims_claims WHERE parcel_id = $1 ORDER BY opened_at`,
      [parcelId],
    );

  it('projects tracking (lane, last scan, estimate) and learns the property from RecipientResolved', async () => {
    const ref = h.parcel('proj');
    const at = new Date(Date.now() - 2 * 3_600_000);
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(at),
      estimatedDelivery: create(common.CalendarDateSchema, { year: 2099, month: 1, day: 2 }),
      rawDescription: `${PII[0]} ${PII[1]}`,
      recipient: create(carrier.RecipientHintSchema, {
        countryCode: 'CN',
        addressLine: PII[2],
        unit: '3-1802',
      }),
    });
    // an older, late event does not move the status back
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.INFO_RECEIVED,
      occurredAt: timestampFromDate(new Date(at.getTime() - DAY)),
      late: true,
    });
    await h.publishOutreach(ref, {
      case: 'recipientResolved',
      value: create(notification.RecipientResolvedSchema, {
        tenantId: h.tenant,
        parcel: ref,
        propertyId: 'prop_it_1',
        unitId: 'unit_1',
        residentId: 'res_1',
      }),
    });
    const [row] = await h.query<Record<string, unknown>>(
      `SELECT status, last_scan_at, to_char(estimated_delivery, 'YYYY-MM-DD') AS edd, origin_country_code, destination_country_code, property_id
         FROM claims_parcels WHERE parcel_id = $1`,
      [ref.parcelId],
    );
    expect(row).toMatchObject({
      status: 'in_transit',
      edd: '2099-01-02',
      origin_country_code: 'JP',
      destination_country_code: 'CN',
      property_id: 'prop_it_1',
    });
    expect((row!.last_scan_at as Date).getTime()).toBe(at.getTime());
    // the no-scan rule is armed on the last scan: international, 20 days
    const [timer] = await h.query<{ due_at: Date }>(`SELECT due_at FROM timers WHERE key = $1`, [
      `detect:${ref.parcelId}:${h.tenant}:no-scan`,
    ]);
    expect(timer!.due_at.getTime()).toBe(at.getTime() + 20 * DAY);
  });

  it('opens one NO_SCAN claim when a parcel stalls, idempotent under redelivery, and closes it as found on a newer scan', async () => {
    const ref = h.parcel('stall');
    const stalledAt = new Date(Date.now() - 21 * DAY);
    const first = await h.publishTracking(ref, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(stalledAt),
    });
    await waitFor(async () => (await claimsOf(ref.parcelId)).length === 1, {
      timeoutMs: 20_000,
      description: 'no-scan claim',
    });
    // the same record delivered again (a producer retry, a replay) changes nothing
    await h.publishTracking(
      ref,
      { status: carrier.TrackingStatus.IN_TRANSIT, occurredAt: timestampFromDate(stalledAt) },
      { eventId: first.eventId },
    );
    await new Promise((r) => setTimeout(r, 500));
    const [claim] = await claimsOf(ref.parcelId);
    expect(claim).toMatchObject({
      reason: 'no_scan',
      state: 'detected',
      incident_key: `no_scan:${stalledAt.toISOString()}`,
    });
    expect((await claimsOf(ref.parcelId)).length).toBe(1);

    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(new Date()),
    });
    await waitFor(async () => (await claimsOf(ref.parcelId))[0]?.state === 'closed', {
      timeoutMs: 10_000,
      description: 'closed as found',
    });
    expect((await claimsOf(ref.parcelId))[0]!.close_reason).toBe('parcel_found');
    await waitFor(() => h.eventCases(ref.parcelId).includes('claimClosed'), {
      timeoutMs: 20_000,
      description: 'events',
    });
    const opened = h.events(ref.parcelId).find((e) => e.event.event.case === 'claimOpened')!;
    expect(opened.headers['tenant-id']).toBe(h.tenant);
    expect(opened.event.event.value).toMatchObject({ reason: 1, origin: 1, claimId: claim!.id });
  });

  it('opens no duplicate under reordered and duplicated events: an older scan arriving late neither closes nor reopens', async () => {
    const ref = h.parcel('reorder');
    const olderScan = {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(new Date(Date.now() - 5 * 3_600_000)),
    };
    const lost = {
      status: carrier.TrackingStatus.EXCEPTION,
      exceptionReason: carrier.ExceptionReason.LOST,
      occurredAt: timestampFromDate(new Date(Date.now() - 3_600_000)),
    };
    // the carrier's exception overtakes the scan before it
    const exception = await h.publishTracking(ref, lost);
    await h.publishTracking(ref, olderScan);
    // the same exception again: redelivered (same event id) and re-sent by a second webhook (new id)
    await h.publishTracking(ref, lost, { eventId: exception.eventId });
    await h.publishTracking(ref, lost);
    const claims = await claimsOf(ref.parcelId);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ reason: 'carrier_lost', state: 'detected', close_reason: null });
    const [parcel] = await h.query<{ status: string }>(
      `SELECT status FROM claims_parcels WHERE parcel_id = $1`,
      [ref.parcelId],
    );
    expect(parcel!.status).toBe('exception');
    await waitFor(() => h.eventCases(ref.parcelId).includes('claimOpened'), {
      timeoutMs: 20_000,
      description: 'opened',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(h.eventCases(ref.parcelId)).toEqual(['claimOpened']);
  });

  it('opens a CARRIER_LOST claim from a carrier exception once, and runs verification -> inquiry -> decision window -> default decision', async () => {
    const ref = h.parcel('lost');
    const at = new Date(Date.now() - 3_600_000);
    const lost = {
      status: carrier.TrackingStatus.EXCEPTION,
      exceptionReason: carrier.ExceptionReason.LOST,
      occurredAt: timestampFromDate(at),
    };
    await h.publishTracking(ref, lost);
    // the same exception re-sent through another webhook: a new event id, the same incident
    await h.publishTracking(ref, lost);
    const claims = await claimsOf(ref.parcelId);
    expect(claims).toHaveLength(1);
    const id = claims[0]!.id;
    const steward = await h.asPerson(['steward']);

    const verified = await h.request('POST', `/v1/claims/${id}/verifications`, {
      headers: steward,
      body: { source: 'property_desk', outcome: 'not_found' },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ state: 'verifying', reason: 'carrier_lost' });

    const illegal = await h.request('POST', `/v1/claims/${id}/decision`, {
      headers: steward,
      body: { decision: 'reship' },
    });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error.code).toBe('claim_action_not_allowed');
    expect(illegal.body.error.message.zh).toBeTruthy();

    expect((await h.request('POST', `/v1/claims/${id}/inquiry`, { headers: steward })).body.state).toBe(
      'carrier_inquiry',
    );
    const answered = await h.request('POST', `/v1/claims/${id}/inquiry-answer`, {
      headers: steward,
      body: { outcome: 'not_located' },
    });
    expect(answered.body.state).toBe('awaiting_customer_decision');

    // the 24 h window lapses ("the clock jumps"): the tenant's default decision applies
    await h.makeDue(`claim:${id}:sla:customer_decision`);
    await waitFor(
      async () =>
        (await h.query<{ decision: string }>(`SELECT decision FROM claims_claims WHERE id = $1`, [id]))[0]
          ?.decision === 'refund',
      {
        timeoutMs: 10_000,
        description: 'default decision',
      },
    );
    await waitFor(() => h.eventCases(ref.parcelId).includes('customerDecisionRecorded'), {
      timeoutMs: 20_000,
      description: 'decision event',
    });
    const decision = h.events(ref.parcelId).find((e) => e.event.event.case === 'customerDecisionRecorded')!
      .event.event.value as { defaulted: boolean };
    expect(decision.defaulted).toBe(true);
    expect(h.eventCases(ref.parcelId)).toEqual(
      expect.arrayContaining([
        'claimOpened',
        'verificationRecorded',
        'carrierInquiryAnswered',
        'serviceLevelBreached',
      ]),
    );
    const [filing] = await h.query<{ claimed_minor: string; claimed_currency: string }>(
      `SELECT * FROM claims_filings WHERE claim_id = $1`,
      [id],
    );
    expect(filing).toMatchObject({ claimed_minor: '128000', claimed_currency: 'CNY' });
    const history = (await h.request('GET', `/v1/claims/${id}`, { headers: steward })).body.history.map(
      (t: { to: string }) => t.to,
    );
    expect(history).toEqual(['detected', 'verifying', 'carrier_inquiry', 'awaiting_customer_decision']);
  });

  it('breaches the explanation service level on its durable timer, also across a restart', async () => {
    const ref = h.parcel('sla');
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.EXCEPTION,
      exceptionReason: carrier.ExceptionReason.DAMAGED,
      occurredAt: timestampFromDate(new Date()),
    });
    const [claim] = await claimsOf(ref.parcelId);
    expect(claim!.reason).toBe('carrier_damaged');
    const keys = (
      await h.query<{ key: string }>(`SELECT key FROM timers WHERE key LIKE $1 ORDER BY key`, [
        `claim:${claim!.id}:%`,
      ])
    ).map((r) => r.key);
    expect(keys).toEqual([
      `claim:${claim!.id}:sla:customer_explanation`,
      `claim:${claim!.id}:sla:damage_assessment`,
    ]);
    // the assessment is done in time: its timer goes
    await h.request('POST', `/v1/claims/${claim!.id}/damage-assessment`, {
      headers: await h.asPerson(['steward']),
      body: { severity: 'major' },
    });
    // the service stops; the explanation falls due while nobody runs; the next instance fires it
    await h.stopInstance(h.instances[0]!);
    await h.makeDue(`claim:${claim!.id}:sla:`);
    await h.startInstance();
    await waitFor(() => h.eventCases(ref.parcelId).includes('serviceLevelBreached'), {
      timeoutMs: 20_000,
      description: 'breach event',
    });
    const breaches = h.events(ref.parcelId).filter((e) => e.event.event.case === 'serviceLevelBreached');
    expect(breaches).toHaveLength(1);
    expect((breaches[0]!.event.event.value as { serviceLevel: number }).serviceLevel).toBe(2);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/portico_claims_sla_breaches_total\{level="customer_explanation"[^}]*\} 1/);
  });

  it('closes a claim as found when the property desk finds the parcel, and breaches the damage assessment level', async () => {
    const steward = await h.asPerson(['steward']);
    const found = await h.claimFromException('found-desk', carrier.ExceptionReason.LOST);
    const res = await h.request('POST', `/v1/claims/${found.id}/verifications`, {
      headers: steward,
      body: { source: 'property_desk', outcome: 'found' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'closed' });
    expect((await claimsOf(found.ref.parcelId))[0]!.close_reason).toBe('parcel_found');

    const damaged = await h.claimFromException('assess-late', carrier.ExceptionReason.DAMAGED);
    await h.makeDue(`claim:${damaged.id}:sla:damage_assessment`);
    await waitFor(() => h.eventCases(damaged.ref.parcelId).includes('serviceLevelBreached'), {
      timeoutMs: 20_000,
      description: 'damage assessment breach',
    });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/portico_claims_sla_breaches_total\{level="damage_assessment"[^}]*\} 1/);
  });

  it('answers self-service intents in zh/en from the projection and opens NOT_RECEIVED once', async () => {
    const ref = h.parcel('nr');
    const deliveredAt = new Date(Date.now() - 5 * 3_600_000);
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.DELIVERED,
      occurredAt: timestampFromDate(deliveredAt),
    });
    const body = {
      intent: 'package_not_received',
      carrierCode: ref.carrierCode,
      trackingNumber: ref.trackingNumber,
      openClaim: true,
    };
    const first = await h.request('POST', '/v1/self-service/intents', {
      headers: h.asNotification(),
      body: { ...body, tenantId: h.tenant },
    });
    expect(first.status).toBe(201);
    expect(first.body.claim).toMatchObject({ state: 'detected', created: true });
    expect(first.body.answer.zh).toContain('已于');
    expect(first.body.answer.en).toContain('delivered at');
    const again = await h.request('POST', '/v1/self-service/intents', {
      headers: await h.asPerson(['steward']),
      body,
    });
    expect(again.status).toBe(200);
    expect(again.body.claim).toMatchObject({ id: first.body.claim.id, created: false });
    const [row] = await claimsOf(ref.parcelId);
    expect(row).toMatchObject({ reason: 'not_received' });

    const stale = h.parcel('tnu');
    await h.publishTracking(stale, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(new Date(Date.now() - 3 * DAY)),
    });
    const tnu = await h.request('POST', '/v1/self-service/intents', {
      headers: await h.asPerson(['manager']),
      body: {
        intent: 'tracking_not_updating',
        carrierCode: stale.carrierCode,
        trackingNumber: stale.trackingNumber,
      },
    });
    expect(tnu.status).toBe(200);
    expect(tnu.body.noScanRule.counting).toBe(true);
    expect(tnu.body.nextSteps.en).toContain('20 days');

    // another tenant's staff learn nothing about the parcel
    const other = await h.request('POST', '/v1/self-service/intents', {
      headers: await h.asPerson(['steward'], 'ten_other'),
      body,
    });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('parcel_not_found');
    const bad = await h.request('POST', '/v1/self-service/intents', {
      headers: await h.asPerson(['steward']),
      body: { ...body, residentName: PII[0] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.text).not.toContain(PII[0]);
    const noAuth = await h.request('POST', '/v1/self-service/intents', { body });
    expect(noAuth.status).toBe(401);
  });

  it('keeps detection rules per tenant: a manager sets them, invalid documents are refused', async () => {
    const manager = await h.asPerson(['manager']);
    const current = await h.request('GET', '/v1/claim-settings', { headers: manager });
    expect(current.body).toMatchObject({
      source: 'default',
      settings: { detection: { noScan: { domesticDays: 7, internationalDays: 20 } } },
    });
    const settings = {
      ...current.body.settings,
      detection: {
        ...current.body.settings.detection,
        noScan: { enabled: true, domesticDays: 3, internationalDays: 10 },
      },
    };
    const put = await h.request('PUT', '/v1/claim-settings', { headers: manager, body: settings });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(1);
    const invalid = await h.request('PUT', '/v1/claim-settings', {
      headers: manager,
      body: { ...settings, defaultDecision: 'nothing' },
    });
    expect(invalid.status).toBe(400);
    expect(
      (await h.request('GET', '/v1/claim-settings', { headers: manager })).body.settings.detection.noScan
        .internationalDays,
    ).toBe(10);
    const stewardTry = await h.request('PUT', '/v1/claim-settings', {
      headers: await h.asPerson(['steward']),
      body: settings,
    });
    expect(stewardTry.status).toBe(403);
    const operatorWithout = await h.request('GET', '/v1/claim-settings', {
      headers: await h.asPerson(['operator'], null),
    });
    expect(operatorWithout.status).toBe(400);
    expect(operatorWithout.body.error.code).toBe('tenant_required');
    // the new threshold applies to the next scan: 10 days for an international parcel
    const ref = h.parcel('rules');
    const at = new Date(Date.now() - 3_600_000);
    await h.publishTracking(ref, {
      status: carrier.TrackingStatus.IN_TRANSIT,
      occurredAt: timestampFromDate(at),
    });
    const [timer] = await h.query<{ due_at: Date }>(`SELECT due_at FROM timers WHERE key = $1`, [
      `detect:${ref.parcelId}:${h.tenant}:no-scan`,
    ]);
    expect(timer!.due_at.getTime()).toBe(at.getTime() + 10 * DAY);
  });

  it('never lets personal data into logs, spans, events or its own tables', async () => {
    await waitFor(() => h.received.length > 0, { timeoutMs: 10_000, description: 'events' });
    const logs = h.log.text();
    const spans = JSON.stringify(h.spans.getFinishedSpans().map((s) => s.attributes));
    const events = h.received
      .map((r) => Buffer.from(JSON.stringify(r.event, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))))
      .join('');
    const tables = JSON.stringify(
      await h.query(
        `SELECT p.*, s.* FROM claims_parcels p LEFT JOIN claims_parcel_scans s USING (tenant_id, parcel_id)`,
      ),
    );
    for (const value of PII) {
      expect(logs).not.toContain(value);
      expect(spans).not.toContain(value);
      expect(events).not.toContain(value);
      expect(tables).not.toContain(value);
    }
    expect(logs).toContain('claim detected -> closed');
  });
});
