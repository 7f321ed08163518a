import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { ClaimsHarness, type Json } from '../test-support/claims-harness';
import { SimulatedCarrierClaimsApi } from '../test-support/simulated-carrier-claims-api';

jest.setTimeout(180_000);

const HOUR = 3_600_000;

/**
 * Scorecards over claims driven through the real workflow (consumer -> detection -> claim ->
 * verification -> decision -> filing by the CarrierWorker against the SIMULATED carrier API ->
 * the carrier's decision recorded by staff), and the insurance endpoint, on real Kafka + Postgres.
 */
describe('scorecards and parcel insurance (real Kafka + Postgres)', () => {
  let h: ClaimsHarness;
  let api: SimulatedCarrierClaimsApi;
  const otherTenant = () => `${h.tenant}_b`;
  const POLICY = 'PICC-IT/2026-000777';

  beforeAll(async () => {
    api = await SimulatedCarrierClaimsApi.start();
    h = await ClaimsHarness.start('scorecards', {
      // staff record the carrier's decisions: the simulated API is only asked to take the filing
      CARRIER_STATUS_POLL_MS: '3600000',
      SCORECARD_REFRESH_MS: '1000',
      CLAIMS_CARRIER_CHANNELS: JSON.stringify({
        'it-express': { channel: 'api', baseUrl: api.url, apiKey: api.apiKey },
      }),
    });
    await h.startInstance();
  });
  afterAll(async () => {
    await h?.stop();
    await api?.stop();
  });

  const stateOf = async (id: string) =>
    (await h.query<{ state: string }>(`SELECT state FROM claims_claims WHERE id = $1`, [id]))[0]?.state;

  async function track(
    suffix: string,
    init: Parameters<ClaimsHarness['publishTracking']>[1],
    tenantId?: string,
  ) {
    const ref = h.parcel(suffix, suffix.startsWith('post') ? 'it-post' : 'it-express');
    await h.publishTracking(
      ref,
      { occurredAt: timestampFromDate(new Date(Date.now() - HOUR)), ...init },
      tenantId ? { tenantId } : {},
    );
    return ref;
  }

  const exception = (reason: carrier.ExceptionReason) => ({
    status: carrier.TrackingStatus.EXCEPTION,
    exceptionReason: reason,
  });

  async function claimOf(parcelId: string): Promise<string> {
    const [row] = await h.query<{ id: string }>(`SELECT id FROM claims_claims WHERE parcel_id = $1`, [
      parcelId,
    ]);
    return row!.id;
  }

  /** verification -> decision window -> refund -> filed by the worker with the simulated API. */
  async function fileClaim(id: string, staff: Record<string, string>): Promise<void> {
    const post = (path: string, body?: unknown) =>
      h.request('POST', `/v1/claims/${id}/${path}`, { headers: staff, ...(body ? { body } : {}) });
    expect((await post('verifications', { source: 'property_desk', outcome: 'not_found' })).status).toBe(200);
    expect((await post('decision-request')).status).toBe(200);
    expect((await post('decision', { decision: 'refund' })).status).toBe(200);
    await waitFor(async () => (await stateOf(id)) === 'filed', { timeoutMs: 30_000, description: 'filed' });
  }

  async function carrierDecides(id: string, staff: Record<string, string>, body: unknown) {
    const res = await h.request('POST', `/v1/claims/${id}/carrier-status`, { headers: staff, body });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('closed');
  }

  const ids: Record<string, string> = {};
  const refs: Record<string, common.ParcelRef> = {};

  it('builds the fixture through the workflow: lost approved, damaged rejected, damaged partly approved, found, open, quiet', async () => {
    const manager = await h.asPerson(['manager']);
    refs.lost = await track('lost', exception(carrier.ExceptionReason.LOST));
    refs.dmg1 = await track('dmg1', exception(carrier.ExceptionReason.DAMAGED));
    refs.dmg2 = await track('dmg2', exception(carrier.ExceptionReason.DAMAGED));
    refs.found = await track('found', exception(carrier.ExceptionReason.LOST));
    refs.open = await track('open', exception(carrier.ExceptionReason.LOST));
    refs.quiet = await track('quiet', { status: carrier.TrackingStatus.IN_TRANSIT });
    refs.post = await track('post1', {
      status: carrier.TrackingStatus.IN_TRANSIT,
      shipment: create(carrier.ShipmentDetailsSchema, {
        originCountryCode: 'CN',
        destinationCountryCode: 'CN',
      }),
    });
    // the other tenant: one lost parcel still open, one quiet
    refs.otherLost = await track('olost', exception(carrier.ExceptionReason.LOST), otherTenant());
    refs.otherQuiet = await track('oquiet', { status: carrier.TrackingStatus.IN_TRANSIT }, otherTenant());
    for (const k of ['lost', 'dmg1', 'dmg2', 'found', 'open']) ids[k] = await claimOf(refs[k]!.parcelId);

    // insured before the decision: the filing claims the insured amount, not the declared one
    const insured = await h.request('PUT', `/v1/parcels/${refs.lost.parcelId}/insurance`, {
      headers: manager,
      body: {
        insurer: 'picc',
        policyReference: POLICY,
        insuredAmount: { currencyCode: 'CNY', amountMinor: '300000' },
        coverageType: 'loss_and_damage',
      },
    });
    expect(insured.status).toBe(200);

    for (const k of ['lost', 'dmg1', 'dmg2']) await fileClaim(ids[k]!, manager);
    const [filing] = await h.query<{ claimed_minor: string }>(
      `SELECT claimed_minor FROM claims_filings WHERE claim_id = $1`,
      [ids.lost],
    );
    expect(filing!.claimed_minor).toBe('300000');
    await carrierDecides(ids.lost!, manager, { status: 'approved' });
    await carrierDecides(ids.dmg1!, manager, { status: 'rejected' });
    await carrierDecides(ids.dmg2!, manager, {
      status: 'partially_approved',
      granted: { currencyCode: 'CNY', amountMinor: '50000' },
    });
    const closed = await h.request('POST', `/v1/claims/${ids.found}/close`, {
      headers: manager,
      body: { reason: 'parcel_found' },
    });
    expect(closed.body).toMatchObject({ state: 'closed' });
  });

  it("reports the caller's tenant per carrier and lane with the rates defined in the README", async () => {
    const res = await h.request('GET', '/v1/scorecards', { headers: await h.asPerson(['manager']) });
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe(h.tenant);
    const items = res.body.items as Json[];
    expect(items.map((i) => [i.carrierCode, i.lane])).toEqual([
      ['it-express', 'JP-CN'],
      ['it-post', 'CN-CN'],
    ]);
    // the time to resolve of the three claims the carrier decided, by hand from their rows
    const durations = (
      await h.query<{ s: number }>(
        `SELECT extract(epoch FROM closed_at - opened_at)::float8 AS s FROM claims_claims WHERE id = ANY($1) ORDER BY 1`,
        [[ids.lost, ids.dmg1, ids.dmg2]],
      )
    ).map((r) => Number(r.s));
    const [a, b, c] = durations as [number, number, number];
    const express = items[0];
    expect(express).toMatchObject({
      international: true,
      parcelsTracked: 6,
      loss: { parcels: 1, pending: 1, rate: 1 / 6 }, // lost (approved); open pending; found is no loss
      damage: { parcels: 2, pending: 0, rate: 2 / 6 }, // rejected and partly approved: damaged either way
      carrierDecisions: {
        decided: 3,
        approved: 1,
        partiallyApproved: 1,
        rejected: 1,
        approvalRate: 1 / 3,
        partialApprovalRate: 1 / 3,
        rejectionRate: 1 / 3,
      },
      timeToResolve: { claims: 3 },
    });
    expect(express.timeToResolve.medianSeconds).toBeCloseTo(b, 3);
    // percentile_cont(0.9) of three values: 0.9 * (3 - 1) = 1.8 -> b + 0.8 (c - b)
    expect(express.timeToResolve.p90Seconds).toBeCloseTo(b + 0.8 * (c - b), 3);
    expect(a).toBeLessThanOrEqual(b);
    expect(items[1]).toMatchObject({
      international: false,
      parcelsTracked: 1,
      loss: { parcels: 0, rate: 0 },
      carrierDecisions: { decided: 0, approvalRate: null },
    });
  });

  it('filters by carrier, lane and period', async () => {
    const manager = await h.asPerson(['manager']);
    const get = async (qs: string) =>
      (await h.request('GET', `/v1/scorecards?${qs}`, { headers: manager })).body.items as Json[];
    expect((await get('carrier=it-post')).map((i) => i.lane)).toEqual(['CN-CN']);
    expect((await get('lane=JP-CN')).map((i) => i.carrierCode)).toEqual(['it-express']);
    expect(await get('carrier=it-post&lane=JP-CN')).toEqual([]);
    expect(await get('from=2020-01-01&to=2020-02-01')).toEqual([]);
    const tomorrow = new Date(Date.now() + 24 * HOUR).toISOString();
    expect(
      (
        await get(
          `from=${encodeURIComponent(new Date(Date.now() - 24 * HOUR).toISOString())}&to=${encodeURIComponent(tomorrow)}`,
        )
      ).length,
    ).toBe(2);
  });

  it('keeps tenants apart: a manager sees only their own, operators one tenant or all together', async () => {
    const otherManager = await h.asPerson(['manager'], otherTenant());
    const other = await h.request('GET', '/v1/scorecards', { headers: otherManager });
    expect(other.body.items).toHaveLength(1);
    expect(other.body.items[0]).toMatchObject({
      carrierCode: 'it-express',
      parcelsTracked: 2,
      loss: { parcels: 0, pending: 1 },
    });
    const naming = await h.request('GET', `/v1/scorecards?tenantId=${h.tenant}`, { headers: otherManager });
    expect(naming.status).toBe(403);
    expect(naming.body.error.code).toBe('tenant_mismatch');

    const operator = await h.asPerson(['operator'], null);
    const all = await h.request('GET', '/v1/scorecards?carrier=it-express', { headers: operator });
    expect(all.body.tenantId).toBeNull();
    expect(all.body.items[0]).toMatchObject({
      parcelsTracked: 8,
      loss: { parcels: 1, pending: 2, rate: 1 / 8 },
    });
    const one = await h.request('GET', `/v1/scorecards?carrier=it-express&tenantId=${otherTenant()}`, {
      headers: operator,
    });
    expect(one.body.items[0].parcelsTracked).toBe(2);

    const steward = await h.request('GET', '/v1/scorecards', { headers: await h.asPerson(['steward']) });
    expect(steward.status).toBe(403);
  });

  it('refuses bad queries with a code and zh/en messages', async () => {
    const manager = await h.asPerson(['manager']);
    const reversed = await h.request('GET', '/v1/scorecards?from=2026-02-01&to=2026-01-01', {
      headers: manager,
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.code).toBe('invalid_scorecard_period');
    expect(reversed.body.error.message.zh).toBeTruthy();
    expect(reversed.body.error.message.en).toBeTruthy();
    for (const qs of ['lane=japan-china', 'from=yesterday', 'carrier=IT%20EXPRESS', 'unknown=1']) {
      const res = await h.request('GET', `/v1/scorecards?${qs}`, { headers: manager });
      expect([qs, res.status, res.body.error.code]).toEqual([qs, 400, 'validation_failed']);
      expect(res.body.error.message.zh).toBeTruthy();
    }
  });

  it('exports the gauges per carrier and lane only (every tenant together), refreshed from the database', async () => {
    let metrics = '';
    await waitFor(
      async () => {
        metrics = await (await fetch(`${h.url}/metrics`)).text();
        return /portico_claims_scorecard_loss_ratio\{[^}]*carrier="it-express"[^}]*\} 0\.125\b/.test(metrics);
      },
      { timeoutMs: 20_000, intervalMs: 250, description: 'loss ratio gauge' },
    );
    const line = (name: string) =>
      metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('carrier="it-express"'));
    expect(line('portico_claims_scorecard_parcels_tracked')).toMatch(/lane="JP-CN".* 8$/);
    expect(line('portico_claims_scorecard_damage_ratio')).toMatch(/ 0\.25$/);
    expect(line('portico_claims_scorecard_rejected_ratio')).toMatch(/ 0\.333/);
    const labels = metrics
      .split('\n')
      // per-lane gauges (the refresh timestamp has no labels of its own)
      .filter(
        (l) =>
          l.startsWith('portico_claims_scorecard_') &&
          !l.startsWith('portico_claims_scorecard_refreshed') &&
          l.includes('{'),
      )
      .map((l) =>
        l
          .slice(l.indexOf('{') + 1, l.indexOf('}'))
          .split(',')
          .map((kv) => kv.split('=')[0])
          .sort()
          .join(','),
      );
    expect(new Set(labels)).toEqual(new Set(['carrier,lane,service']));
    expect(metrics).not.toContain(h.tenant);

    // Open claims by state, counted from the database at scrape time (both tenants' open ones).
    const open = await h.query<{ state: string }>(`SELECT state FROM claims_claims WHERE closed_at IS NULL`);
    expect(open.length).toBeGreaterThanOrEqual(2);
    const scraped = await (await fetch(`${h.url}/metrics`)).text();
    const samples = scraped
      .split('\n')
      .filter((l) => l.startsWith('portico_claims_open{'))
      .map((l) => ({ state: /state="([^"]+)"/.exec(l)?.[1], n: Number(l.slice(l.lastIndexOf(' ') + 1)) }));
    for (const state of new Set(open.map((c) => c.state)))
      expect([state, samples.find((x) => x.state === state)?.n]).toEqual([
        state,
        open.filter((c) => c.state === state).length,
      ]);
    expect(samples.reduce((sum, x) => sum + x.n, 0)).toBe(open.length);
  });

  describe('insurance coverage', () => {
    const body = {
      insurer: 'ping-an',
      policyReference: 'PA-IT/2026-42',
      insuredAmount: { currencyCode: 'CNY', amountMinor: '150000' },
      coverageType: 'loss',
    };
    const row = async (parcelId: string) =>
      (
        await h.query(
          `SELECT insured_source, insurer, insurance_policy_ref, insured_currency, insured_minor, insurance_coverage,
                  insurance_updated_at FROM claims_parcels WHERE parcel_id = $1`,
          [parcelId],
        )
      )[0];

    it('records, reads and repeats a PUT idempotently', async () => {
      const manager = await h.asPerson(['manager']);
      const path = `/v1/parcels/${refs.quiet!.parcelId}/insurance`;
      const before = await h.request('GET', path, { headers: manager });
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ source: null, insuredAmount: null, coverageType: null });

      const put = await h.request('PUT', path, { headers: manager, body });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        parcelId: refs.quiet!.parcelId,
        source: 'api',
        insurer: 'ping-an',
        policyReference: 'PA-IT/2026-42',
        insuredAmount: { currencyCode: 'CNY', amountMinor: '150000' },
        coverageType: 'loss',
        updatedBy: 'usr_it_manager',
      });
      const again = await h.request('PUT', path, { headers: manager, body });
      expect(again.body).toEqual(put.body); // same updatedAt: nothing was written the second time
      expect((await h.request('GET', path, { headers: manager })).body).toEqual(put.body);
      expect(await row(refs.quiet!.parcelId)).toMatchObject({
        insured_source: 'api',
        insurance_policy_ref: 'PA-IT/2026-42',
        insured_minor: '150000',
        insurance_coverage: 'loss',
      });

      const changed = await h.request('PUT', path, {
        headers: manager,
        body: { ...body, coverageType: 'loss_and_damage' },
      });
      expect(changed.body.coverageType).toBe('loss_and_damage');

      // the carrier's insurance on a later scan never overwrites coverage set through the API
      await h.publishTracking(refs.quiet!, {
        status: carrier.TrackingStatus.IN_TRANSIT,
        occurredAt: timestampFromDate(new Date()),
        shipment: create(carrier.ShipmentDetailsSchema, {
          originCountryCode: 'JP',
          destinationCountryCode: 'CN',
          insuredValue: create(common.MoneySchema, { currencyCode: 'USD', amountMinor: 999n }),
        }),
      });
      expect((await h.request('GET', path, { headers: manager })).body).toMatchObject({
        source: 'api',
        insuredAmount: { currencyCode: 'CNY', amountMinor: '150000' },
      });
    });

    it('refuses bad input with 4xx, a code and zh/en, and writes nothing', async () => {
      const manager = await h.asPerson(['manager']);
      const target = refs.open!.parcelId;
      const path = `/v1/parcels/${target}/insurance`;
      const untouched = await row(target);
      const bad: Array<[unknown, string]> = [
        [{ ...body, insuredAmount: { currencyCode: 'CNY', amountMinor: '0' } }, 'zero amount'],
        [{ ...body, insuredAmount: { currencyCode: 'cny', amountMinor: '10' } }, 'currency'],
        [{ ...body, coverageType: 'everything' }, 'coverage type'],
        [{ ...body, policyReference: '张三丰 13800138000' }, 'free text reference'],
        [{ ...body, holderName: '张三丰' }, 'unknown field'],
        [{ insurer: 'picc' }, 'missing fields'],
      ];
      for (const [b, what] of bad) {
        const res = await h.request('PUT', path, { headers: manager, body: b });
        expect([what, res.status, res.body.error.code]).toEqual([what, 400, 'validation_failed']);
        expect(res.body.error.message.zh).toBeTruthy();
        expect(res.text).not.toContain('张三丰');
      }
      const badId = await h.request('PUT', '/v1/parcels/not-a-parcel/insurance', { headers: manager, body });
      expect([badId.status, badId.body.error.code]).toEqual([400, 'validation_failed']);
      const unknown = await h.request('PUT', `/v1/parcels/prc_${'0'.repeat(32)}/insurance`, {
        headers: manager,
        body,
      });
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'parcel_not_found']);
      expect(unknown.body.error.message.zh).toBeTruthy();
      expect(await row(target)).toEqual(untouched);
    });

    it("hides another tenant's parcel (404) and writes nothing to it", async () => {
      const otherManager = await h.asPerson(['manager'], otherTenant());
      const path = `/v1/parcels/${refs.quiet!.parcelId}/insurance`;
      const before = await row(refs.quiet!.parcelId);
      for (const method of ['GET', 'PUT']) {
        const res = await h.request(method, path, {
          headers: otherManager,
          ...(method === 'PUT' ? { body: { ...body, insurer: 'intruder' } } : {}),
        });
        expect([method, res.status, res.body.error.code]).toEqual([method, 404, 'parcel_not_found']);
      }
      expect(await row(refs.quiet!.parcelId)).toEqual(before);
      const operator = await h.asPerson(['operator'], null);
      const noTenant = await h.request('GET', path, { headers: operator });
      expect([noTenant.status, noTenant.body.error.code]).toEqual([400, 'tenant_required']);
      const named = await h.request('GET', `${path}?tenantId=${h.tenant}`, { headers: operator });
      expect(named.body.source).toBe('api');
    });

    it('keeps policy references out of logs, spans and events', async () => {
      const needles = [POLICY, 'PA-IT/2026-42'];
      const spans = JSON.stringify(h.spans.getFinishedSpans().map((s) => s.attributes));
      const events = JSON.stringify(
        h.received.map((r) => ({ headers: r.headers, event: r.event })),
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      );
      for (const n of needles) {
        expect(h.log.text()).not.toContain(n);
        expect(spans).not.toContain(n);
        expect(events).not.toContain(n);
      }
      // the log line of a recording is there, with ids only
      expect(h.log.text()).toContain('parcel insurance recorded');
    });
  });
});
