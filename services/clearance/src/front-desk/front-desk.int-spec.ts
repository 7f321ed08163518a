// The front-desk report API against the real service, broker and Postgres: a report opens the same
// case a carrier's hold would, meets the carrier's event idempotently in either order, and every
// bad input is a 4xx with a code and zh + en messages that leaves nothing behind.
import { clearance } from '@portico/contracts';
import { signDevToken } from '@portico/auth';
import { waitFor } from '@portico/testing';
import { ClearanceHarness } from '../test-support/clearance-harness';

const HOUR = 3_600_000;
// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('clearance: front-desk reports (real Kafka + Postgres)', () => {
  let h: ClearanceHarness;
  let url: string;

  beforeAll(async () => {
    h = await ClearanceHarness.start('front-desk-it');
    url = (await h.startInstance()).url;
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  const token = (roles: string[], tenantId: string | undefined) =>
    signDevToken(
      { subject: `usr_${roles.join('_')}`, roles, tenantId, propertyIds: [] },
      { key: h.devTokenKey, issuer: h.config.authIssuer, audience: h.config.authAudience },
    );
  async function post(body: unknown, bearer?: string) {
    const res = await fetch(`${url}/v1/front-desk-reports`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json, text };
  }
  const countCases = async () =>
    Number(
      (
        await h.query<{ n: string }>(`SELECT count(*) AS n FROM clearance_cases WHERE tenant_id = $1`, [
          h.tenant,
        ])
      )[0]!.n,
    );

  it("opens a case from a steward's report, once, and the carrier's later hold event joins it", async () => {
    const steward = await token(['steward'], h.tenant);
    const ref = h.parcel('FD1');
    const deadline = new Date(Date.now() + 48 * HOUR).toISOString();
    const body = {
      carrierCode: 'IT-Express',
      // as typed from a paper notice: spaces and a dash
      trackingNumber: `${ref.trackingNumber.slice(0, 4)} ${ref.trackingNumber.slice(4, 8)}-${ref.trackingNumber.slice(8)}`,
      holdReason: 'id_documents_required',
      customsDeadline: deadline,
    };
    const first = await post(body, steward);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      created: true,
      case: {
        parcelId: ref.parcelId,
        origin: 'front_desk_report',
        state: 'awaiting_documents',
        deadline,
        deadlineSource: 'carrier',
        requiredDocuments: [{ type: 'resident_id_card', sides: ['front', 'back'] }],
      },
    });
    expect(first.body.case.triggerEventId).toMatch(/^fdr_/);
    expect(first.body.case.history[0]).toMatchObject({ to: 'opened', cause: 'front_desk_report' });

    const again = await post(body, steward);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, case: { id: first.body.case.id } });

    // the carrier's own event arrives later: no second case, no second CaseOpened
    const hold = await h.publishHold(ref, new Date(Date.now() - HOUR), new Date(deadline));
    await h.waitProcessed(hold.eventId, 'carrier hold');
    expect(await countCases()).toBe(1);
    await waitFor(() => h.eventCases(ref.parcelId).length >= 2, {
      timeoutMs: 20_000,
      description: 'case events',
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.eventCases(ref.parcelId)).toEqual(['caseOpened', 'documentsRequested']);
    const opened = h.events(ref.parcelId)[0]!.event.event.value as clearance.CaseOpened;
    expect(opened.origin).toBe(clearance.CaseOrigin.FRONT_DESK_REPORT);

    // the steward's report is on record for the effort metric, by user id
    expect(
      await h.query(`SELECT kind, actor_id FROM clearance_case_activity WHERE case_id = $1`, [
        first.body.case.id,
      ]),
    ).toEqual([
      { kind: 'front_desk_reported', actor_id: 'usr_steward' },
      { kind: 'front_desk_reported', actor_id: 'usr_steward' },
    ]);
  });

  it('meets a case the carrier opened first', async () => {
    const ref = h.parcel('FD2');
    const hold = await h.publishHold(ref, new Date(Date.now() - HOUR), new Date(Date.now() + 40 * HOUR));
    await h.waitProcessed(hold.eventId, 'carrier hold');
    const res = await post(
      {
        carrierCode: ref.carrierCode,
        trackingNumber: ref.trackingNumber,
        holdReason: 'id_documents_required',
      },
      await token(['manager'], h.tenant),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      created: false,
      case: { origin: 'tracking_event', parcelId: ref.parcelId },
    });
  });

  it('answers every bad report with a 4xx code and zh + en messages, and writes nothing', async () => {
    const steward = await token(['steward'], h.tenant);
    const operator = await token(['operator'], undefined);
    const ok = { carrierCode: 'it-express', trackingNumber: `IT${h.run}BAD1`, holdReason: 'duties_unpaid' };
    const before = await countCases();
    const cases: Array<[string, unknown, string | undefined, number, string]> = [
      ['no token', ok, undefined, 401, 'credentials_missing'],
      ['missing hold reason', { ...ok, holdReason: undefined }, steward, 400, 'validation_failed'],
      ['unknown hold reason', { ...ok, holdReason: 'weather' }, steward, 400, 'validation_failed'],
      ['unknown field', { ...ok, recipientName: 'Zhang San' }, steward, 400, 'validation_failed'],
      [
        'deadline without offset',
        { ...ok, customsDeadline: '2026-12-03 10:00' },
        steward,
        400,
        'validation_failed',
      ],
      [
        'tracking number of noise',
        { ...ok, trackingNumber: '-- -- --' },
        steward,
        400,
        'invalid_parcel_reference',
      ],
      [
        'notice from the future',
        { ...ok, noticedAt: new Date(Date.now() + 2 * HOUR).toISOString() },
        steward,
        400,
        'report_in_future',
      ],
      ['operator without tenant', ok, operator, 400, 'tenant_required'],
      ['steward for another tenant', { ...ok, tenantId: 'ten_other' }, steward, 403, 'tenant_mismatch'],
    ];
    for (const [name, body, bearer, status, code] of cases) {
      const res = await post(body, bearer);
      expect({ name, status: res.status, code: res.body?.error?.code ?? res.body?.code }).toEqual({
        name,
        status,
        code,
      });
      const text = res.text;
      expect(text).toMatch(/[\u4e00-\u9fff]/); // a zh message for the person at the desk
      expect(text).not.toContain('Zhang San');
    }
    expect(await countCases()).toBe(before);
  });
});
