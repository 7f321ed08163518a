// Resident status against the real broker and Postgres: a case opened from a hold published onto
// carrier.tracking.v1 (with the recipient hints carrier-ingestion would send), a status link issued
// the way notification issues it, and the resident's page data read with nothing but the token.
import { createHash, randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, parcelRef } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import {
  startClearanceApp,
  trackingEvent,
  type ClearanceApp,
  type Json,
} from '../test-support/clearance-app';

const run = randomBytes(4).toString('hex');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TENANT = `ten_rs_${run}`;
const OTHER = `ten_rs_other_${run}`;

// What the waybill said about the recipient, as carrier-ingestion forwards it: none of it may reach
// the resident's page, a log line or a span.
const NAME_DIGEST = randomBytes(32);
const ADDRESS_LINE = `88 Century Avenue Tower ${run}`;
const UNIT = `3-18${run.slice(0, 2)}`;
const POSTAL_CODE = '200120';

describe('clearance: resident status links (real Kafka + Postgres)', () => {
  let app: ClearanceApp;
  const refA = parcelRef('rs-express', `RS${run}A7788`);
  const refB = parcelRef('rs-express', `RS${run}B6655`);
  const heldAt = new Date(Date.now() - 2 * HOUR);
  const carrierDeadline = new Date(heldAt.getTime() + 72 * HOUR);
  let caseA: string;
  let caseB: string;
  let tokenA: string;
  let linkA: string;
  const tokens: string[] = [];

  const status = (token: string | undefined, headers: Record<string, string> = {}) =>
    app.request('GET', '/v1/resident/status', {
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    });
  const issue = async (caseId: string, headers: Record<string, string>, body?: unknown) => {
    const res = await app.request('POST', `/v1/cases/${caseId}/status-links`, { headers, body });
    if (res.status === 201) tokens.push(res.body.token);
    return res;
  };

  beforeAll(async () => {
    app = await startClearanceApp(`rs-${run}`);
    const recipient = create(carrier.RecipientHintSchema, {
      countryCode: 'CN',
      city: 'Shanghai',
      postalCode: POSTAL_CODE,
      addressLine: ADDRESS_LINE,
      unit: UNIT,
      nameDigest: create(common.KeyedDigestSchema, { value: new Uint8Array(NAME_DIGEST), keyId: 'k1' }),
    });
    caseA = (await app.openCase(
      refA,
      TENANT,
      { recipient, customsDeadline: timestampFromDate(carrierDeadline) },
      heldAt,
    ))!;
    caseB = (await app.openCase(refB, TENANT, { recipient }, heldAt))!;
    expect(caseA).toMatch(/^cc_/);
    expect(caseB).toMatch(/^cc_/);
    // the case really carries what must not be shown
    const { rows } = await app.pg.query(
      `SELECT recipient_name_digest, tracking_number FROM clearance_cases WHERE id = $1`,
      [caseA],
    );
    expect(Buffer.from(rows[0].recipient_name_digest)).toEqual(NAME_DIGEST);
    expect(rows[0].tracking_number).toBe(refA.trackingNumber);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  }, 60_000);

  it('issues a link to notification once, storing only the token hash', async () => {
    const res = await issue(caseA, app.asNotification());
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'linkId', 'token']);
    ({ token: tokenA, linkId: linkA } = res.body);
    expect(tokenA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(linkA).toMatch(/^sl_[0-9a-f]{32}$/);
    // default lifetime: a week past the case deadline
    expect(res.body.expiresAt).toBe(new Date(carrierDeadline.getTime() + 7 * DAY).toISOString());

    const { rows } = await app.pg.query(`SELECT * FROM clearance_status_links WHERE id = $1`, [linkA]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      case_id: caseA,
      tenant_id: TENANT,
      created_by: 'service:notification',
      revoked_at: null,
    });
    expect(Buffer.from(rows[0].token_hash)).toEqual(createHash('sha256').update(tokenA).digest());
    expect(JSON.stringify(rows[0])).not.toContain(tokenA);
  });

  it('shows the resident the steps and what to upload, in zh and en, with no personal data', async () => {
    const res = await status(tokenA, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-language')).toBe('en');
    expect(res.body).toMatchObject({
      reference: caseA,
      language: 'en',
      parcel: { carrierCode: 'rs-express', trackingNumberLast4: '7788' },
      holdReason: { code: 'id_documents_required' },
      state: 'awaiting_documents',
      open: true,
      deadline: carrierDeadline.toISOString(),
      expedited: false,
    });
    expect(res.body.steps.map((s: Json) => [s.code, s.status])).toEqual([
      ['held_by_customs', 'done'],
      ['documents_needed', 'current'],
      ['documents_received', 'upcoming'],
      ['review', 'upcoming'],
      ['sent_to_carrier', 'upcoming'],
      ['cleared', 'upcoming'],
    ]);
    const next = res.body.nextAction;
    expect(next).toMatchObject({
      code: 'upload_documents',
      deadline: carrierDeadline.toISOString(),
      documents: [
        {
          type: 'resident_id_card',
          sides: ['front', 'back'],
          label: { zh: '居民身份证（正面和背面）', en: 'resident ID card, front and back' },
        },
      ],
    });
    expect(next.text.zh).toContain('居民身份证（正面和背面）');
    expect(next.text.zh).toContain('北京时间');
    expect(next.text.en).toContain('resident ID card, front and back');
    expect(next.text.en).toContain('UTC+8');

    for (const personal of [
      refA.trackingNumber,
      refA.parcelId,
      TENANT,
      ADDRESS_LINE,
      UNIT,
      POSTAL_CODE,
      'Shanghai',
      NAME_DIGEST.toString('hex'),
      NAME_DIGEST.toString('base64'),
      NAME_DIGEST.toString('base64url'),
      tokenA,
    ]) {
      expect(res.text).not.toContain(personal);
    }

    // Chinese first unless English is asked for
    const zh = await status(tokenA);
    expect(zh.body.language).toBe('zh');
    expect(zh.headers.get('content-language')).toBe('zh-CN');
  });

  it('answers missing, malformed, unknown, expired and revoked tokens with 401 and a code', async () => {
    const expectRefusal = async (token: string | undefined, code: string) => {
      const res = await status(token);
      expect(res.status).toBe(401);
      if (token) expect(res.text).not.toContain(token); // never echoed
      expect(res.body.error).toEqual({ code, message: { en: expect.any(String), zh: expect.any(String) } });
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="portico-resident", error="invalid_token"',
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
    };
    await expectRefusal(undefined, 'status_token_missing');
    await expectRefusal('not-a-token', 'status_link_invalid');
    await expectRefusal(randomBytes(32).toString('base64url'), 'status_link_invalid');
    // a staff token is not a status link
    await expectRefusal(
      (await app.asPerson(['steward'], TENANT)).authorization!.slice(7),
      'status_link_invalid',
    );

    const short = await issue(caseA, await app.asPerson(['steward'], TENANT), { expiresInHours: 1 });
    expect(short.status).toBe(201);
    await app.pg.query(
      `UPDATE clearance_status_links SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 minute' WHERE id = $1`,
      [short.body.linkId],
    );
    await expectRefusal(short.body.token, 'status_link_expired');

    const toRevoke = await issue(caseA, await app.asPerson(['manager'], TENANT));
    expect((await status(toRevoke.body.token)).status).toBe(200);
    const revoked = await app.request('DELETE', `/v1/status-links/${toRevoke.body.linkId}`, {
      headers: await app.asPerson(['steward'], TENANT),
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({
      id: toRevoke.body.linkId,
      caseId: caseA,
      revokedAt: expect.any(String),
    });
    expect(revoked.text).not.toContain(toRevoke.body.token);
    await expectRefusal(toRevoke.body.token, 'status_link_revoked');
    const again = await app.request('DELETE', `/v1/status-links/${toRevoke.body.linkId}`, {
      headers: app.asNotification(),
    });
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);

    // the first link is untouched by all of that
    expect((await status(tokenA)).status).toBe(200);
  });

  it('reads only the case a link was issued for', async () => {
    const linkB = await issue(caseB, await app.asPerson(['steward'], TENANT));
    expect(linkB.status).toBe(201);
    const b = await status(linkB.body.token);
    expect(b.body.reference).toBe(caseB);
    expect(b.body.parcel.trackingNumberLast4).toBe('6655');
    // no carrier deadline on B: the policy's 72 h
    expect(b.body.deadline).toBe(new Date(heldAt.getTime() + 72 * HOUR).toISOString());
    expect((await status(tokenA)).body.reference).toBe(caseA);
    expect(b.text).not.toContain(caseA);
  });

  it('lets only the case tenant’s staff and notification issue links, and refuses bad requests', async () => {
    const before = (await app.pg.query(`SELECT count(*)::int AS n FROM clearance_status_links`)).rows[0].n;
    const codeOf = async (res: Awaited<ReturnType<typeof issue>>) => [res.status, res.body?.error?.code];
    expect(await codeOf(await issue(caseA, await app.asPerson(['manager'], OTHER)))).toEqual([
      403,
      'tenant_mismatch',
    ]);
    expect(await codeOf(await issue(caseA, await app.asPerson(['operator'], null)))).toEqual([
      403,
      'forbidden',
    ]);
    expect(await codeOf(await issue(caseA, {}))).toEqual([401, 'credentials_missing']);
    expect(await codeOf(await issue(`cc_${'0'.repeat(32)}`, app.asNotification()))).toEqual([
      404,
      'case_not_found',
    ]);
    expect(await codeOf(await issue('nonsense', app.asNotification()))).toEqual([404, 'case_not_found']);
    const tooLong = await issue(caseA, app.asNotification(), { expiresInHours: 24 * 31 });
    expect(await codeOf(tooLong)).toEqual([400, 'validation_failed']);
    expect(tooLong.body.error.details.issues.map((i: Json) => i.path)).toEqual(['expiresInHours']);
    expect(await codeOf(await issue(caseA, app.asNotification(), { token: 'mine' }))).toEqual([
      400,
      'validation_failed',
    ]);
    expect((await app.pg.query(`SELECT count(*)::int AS n FROM clearance_status_links`)).rows[0].n).toBe(
      before,
    );

    const revokeOther = await app.request('DELETE', `/v1/status-links/${linkA}`, {
      headers: await app.asPerson(['manager'], OTHER),
    });
    expect(await codeOf(revokeOther)).toEqual([403, 'tenant_mismatch']);
    const unknown = await app.request('DELETE', `/v1/status-links/sl_${'0'.repeat(32)}`, {
      headers: app.asNotification(),
    });
    expect(await codeOf(unknown)).toEqual([404, 'status_link_not_found']);
    expect((await status(tokenA)).status).toBe(200);
  });

  it('follows the case: after customs releases the parcel the page says cleared, nothing to do', async () => {
    const release = await app.publish(
      trackingEvent(refA, TENANT, {
        status: carrier.TrackingStatus.CUSTOMS_RELEASED,
        occurredAt: timestampFromDate(new Date(heldAt.getTime() + HOUR)),
        rawStatusCode: 'CUSTOMS_RELEASED',
      }),
      refA,
      TENANT,
    );
    await waitFor(() => app.processed(release.eventId), {
      timeoutMs: 30_000,
      description: 'the release handled',
    });
    const res = await status(tokenA);
    expect(res.body).toMatchObject({
      state: 'cleared',
      open: false,
      nextAction: { code: 'nothing', documents: [], deadline: null },
    });
    expect(res.body.steps.map((s: Json) => `${s.code}:${s.status}`)).toEqual([
      'held_by_customs:done',
      'documents_needed:done',
      'documents_received:skipped',
      'review:skipped',
      'sent_to_carrier:skipped',
      'cleared:done',
    ]);
  });

  it('counts views by outcome, marks the span with the case, and never logs or traces a token', async () => {
    const metrics = await app.metrics();
    for (const [outcome, min] of [
      ['shown', 5],
      ['missing', 1],
      ['invalid', 3],
      ['expired', 1],
      ['revoked', 1],
    ] as const) {
      const match = new RegExp(
        `portico_clearance_status_views_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
      ).exec(metrics);
      expect(Number(match?.[1])).toBeGreaterThanOrEqual(min);
    }
    expect(metrics).not.toMatch(/portico_clearance_status_views_total\{[^}]*(case|link|tenant)/);

    const spans = app.spans.getFinishedSpans();
    const viewed = spans.filter(
      (s) => s.name === 'resident status' && s.attributes['portico.case_id'] === caseA,
    );
    expect(viewed.length).toBeGreaterThan(0);
    expect(viewed[0]!.attributes['portico.status_link_id']).toBe(linkA);

    const traced = JSON.stringify(
      spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    const logged = app.log.text();
    expect(logged).toContain('status link issued');
    expect(logged).toContain('/v1/resident/status'); // the request lines are there, without what they carried
    expect(tokens).toHaveLength(4); // A, the expired one, the revoked one, B
    for (const secret of [
      ...tokens,
      refA.trackingNumber,
      ADDRESS_LINE,
      UNIT,
      NAME_DIGEST.toString('hex'),
      NAME_DIGEST.toString('base64'),
    ]) {
      expect(logged).not.toContain(secret);
      expect(traced).not.toContain(secret);
    }
  });
});
