// The policy API against the real broker and Postgres: policies are edited over HTTP as managers
// and operators would, and the proof that an edit is honoured is a customs hold published onto the
// shared carrier.tracking.v1 topic that opens a case with the edited requirements.
import { randomBytes } from 'node:crypto';
import { parcelRef } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { Client } from 'pg';
import { startClearanceApp, type ClearanceApp, type Json } from '../test-support/clearance-app';

const run = randomBytes(4).toString('hex');
const HOUR = 3_600_000;
const TENANT = `ten_pol_${run}`;
const OTHER = `ten_pol_other_${run}`;

const passportPolicy = {
  destinationCountryCode: 'CN',
  description: 'Our residents are mostly foreign nationals: passports.',
  requirements: { id_documents_required: ['passport'], duties_unpaid: ['duty_payment_proof'] },
  defaultDeadlineHours: 24,
  // this company's own clock: a 30 min steward SLA, reminders 12 h and 2 h before the deadline
  timers: { reminderLeadHours: [12, 2], stewardAckSlaMinutes: 30, expeditedFactor: 0.5 },
};

describe('clearance: requirement policies API (real Kafka + Postgres)', () => {
  let app: ClearanceApp;
  let manager: Record<string, string>;
  let steward: Record<string, string>;
  let stranger: Record<string, string>;
  let operator: Record<string, string>;
  let policyId: string;

  const auditRows = async (id: string) =>
    (
      await app.pg.query(
        `SELECT action, version, actor_kind, actor_id, actor_roles, changed_fields, before, after, tenant_id
           FROM clearance_policy_changes WHERE policy_id = $1 ORDER BY id`,
        [id],
      )
    ).rows;
  const counts = async () =>
    (
      await app.pg.query(
        `SELECT (SELECT count(*) FROM clearance_policies)::int AS policies,
                (SELECT count(*) FROM clearance_policy_changes)::int AS changes`,
      )
    ).rows[0];

  /** The one case a hold opened for a fresh parcel of TENANT, read back over the cases API. */
  async function caseForNewHold(suffix: string, heldAt: Date): Promise<Json> {
    const ref = parcelRef('pol-express', `PO${run}${suffix}`);
    await app.openCase(ref, TENANT, {}, heldAt);
    const list = await app.request('GET', `/v1/cases?parcelId=${ref.parcelId}`, { headers: steward });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    return list.body.items[0];
  }

  beforeAll(async () => {
    app = await startClearanceApp(`pol-${run}`);
    manager = await app.asPerson(['manager'], TENANT);
    steward = await app.asPerson(['steward'], TENANT);
    stranger = await app.asPerson(['manager'], OTHER);
    operator = await app.asPerson(['operator'], null);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  }, 60_000);

  it('lists the platform defaults a tenant inherits, read-only for its manager', async () => {
    const list = await app.request('GET', '/v1/policies', { headers: steward });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: Json) => [p.id, p.tenantId, p.inherited, p.editable])).toEqual([
      ['pol_default', null, true, false],
      ['pol_default_cn', null, true, false],
    ]);
    const cn = list.body.items[1];
    expect(cn).toMatchObject({
      destinationCountryCode: 'CN',
      requirements: { id_documents_required: ['resident_id_card'] },
      defaultDeadlineHours: 72,
      active: true,
      version: 1,
    });
    const asOperator = await app.request('GET', '/v1/policies/pol_default_cn', { headers: operator });
    expect(asOperator.body.editable).toBe(true);
    expect(asOperator.headers.get('etag')).toBe('"1"');
  });

  it('creates a tenant policy as its manager, audited, and the next hold opens a case under it', async () => {
    const created = await app.request('POST', '/v1/policies', { headers: manager, body: passportPolicy });
    expect(created.status).toBe(201);
    policyId = created.body.id;
    expect(policyId).toMatch(/^pol_[0-9a-f]{32}$/);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/policies/${policyId}`);
    expect(created.body).toMatchObject({
      tenantId: TENANT,
      inherited: false,
      editable: true,
      carrierCode: null,
      originCountryCode: null,
      destinationCountryCode: 'CN',
      requirements: passportPolicy.requirements,
      defaultDeadlineHours: 24,
      expedite: { highValue: null, perishable: false, deadlineWithinHours: null },
      active: true,
      version: 1,
    });

    const [audit, ...more] = await auditRows(policyId);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({
      action: 'created',
      version: 1,
      actor_kind: 'person',
      actor_id: `it-manager-${TENANT}`,
      actor_roles: ['manager'],
      tenant_id: TENANT,
      before: null,
    });
    expect(audit.after).toMatchObject({ id: policyId, defaultDeadlineHours: 24, active: true });
    expect(audit.changed_fields).toContain('requirements');

    // The key behaviour: a hold for this tenant, with no carrier deadline, follows the new policy.
    const heldAt = new Date(Date.now() - HOUR);
    const opened = await caseForNewHold('A', heldAt);
    expect(opened).toMatchObject({
      tenantId: TENANT,
      state: 'awaiting_documents',
      policyId,
      requiredDocuments: [{ type: 'passport', sides: ['single_page'] }],
      deadline: new Date(heldAt.getTime() + 24 * HOUR).toISOString(),
      deadlineSource: 'policy',
    });
    // … and runs on the policy's timer rules
    expect(new Date(opened.ackDueAt).getTime() - new Date(opened.openedAt).getTime()).toBe(30 * 60_000);
    const timers = await app.pg.query(`SELECT key FROM timers WHERE key LIKE $1 ORDER BY due_at`, [
      `case:${opened.id}:%`,
    ]);
    expect(timers.rows.map((r: { key: string }) => r.key.split(':').slice(2).join(':'))).toEqual([
      'ack-sla',
      'reminder:12h',
      'reminder:2h',
      'expiry',
    ]);

    const list = await app.request('GET', '/v1/policies', { headers: steward });
    expect(list.body.items.map((p: Json) => [p.id, p.inherited, p.editable])).toEqual([
      ['pol_default', true, false],
      ['pol_default_cn', true, false],
      [policyId, false, false], // stewards read only
    ]);
  });

  it('replaces the policy with If-Match, and the very next hold uses the new rules', async () => {
    const replaced = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: { ...manager, 'if-match': '"1"' },
      body: {
        ...passportPolicy,
        requirements: { id_documents_required: ['hk_macao_travel_permit'] },
        defaultDeadlineHours: 36,
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    expect(replaced.body).toMatchObject({ version: 2, defaultDeadlineHours: 36 });

    const audits = await auditRows(policyId);
    expect(audits.map((a: Json) => [a.action, a.version])).toEqual([
      ['created', 1],
      ['replaced', 2],
    ]);
    expect(audits[1].changed_fields).toEqual(['requirements', 'defaultDeadlineHours']);
    expect(audits[1].before).toMatchObject({ version: 1, defaultDeadlineHours: 24 });
    expect(audits[1].after).toMatchObject({ version: 2, defaultDeadlineHours: 36 });

    const heldAt = new Date(Date.now() - HOUR);
    const opened = await caseForNewHold('B', heldAt);
    expect(opened).toMatchObject({
      policyId,
      requiredDocuments: [{ type: 'hk_macao_travel_permit', sides: ['front', 'back'] }],
      deadline: new Date(heldAt.getTime() + 36 * HOUR).toISOString(),
    });

    // `version` in the body stands in for If-Match
    const byBody = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: manager,
      body: { ...passportPolicy, version: 2 },
    });
    expect(byBody.status).toBe(200);
    expect(byBody.body.version).toBe(3);
  });

  it('answers a stale version with 409 policy_version_conflict and writes nothing', async () => {
    const before = await counts();
    const stale = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: { ...manager, 'if-match': '"1"' },
      body: { ...passportPolicy, defaultDeadlineHours: 12 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toEqual({
      code: 'policy_version_conflict',
      message: { en: expect.any(String), zh: expect.any(String) },
      details: { currentVersion: 3 },
    });
    expect(await counts()).toEqual(before);
    expect(
      (await app.request('GET', `/v1/policies/${policyId}`, { headers: manager })).body.defaultDeadlineHours,
    ).toBe(24);

    // Two editors who read version 3 at the same time: the row lock lets exactly one through.
    const racing = await Promise.all(
      [30, 40].map((hours) =>
        app.request('PUT', `/v1/policies/${policyId}`, {
          headers: { ...manager, 'if-match': '"3"' },
          body: { ...passportPolicy, defaultDeadlineHours: hours },
        }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await auditRows(policyId)).map((a: Json) => a.version)).toEqual([1, 2, 3, 4]);
  });

  it('needs a version on replace (428), and If-Match and version must agree (400)', async () => {
    const missing = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: manager,
      body: passportPolicy,
    });
    expect(missing.status).toBe(428);
    expect(missing.body.error.code).toBe('policy_version_required');
    expect(missing.body.error.message.zh).toEqual(expect.any(String));

    const disagree = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: { ...manager, 'if-match': '"4"' },
      body: { ...passportPolicy, version: 3 },
    });
    expect(disagree.status).toBe(400);
    expect(disagree.body.error.details.issues.map((i: Json) => i.path)).toEqual(['version']);

    const star = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: { ...manager, 'if-match': '*' },
      body: passportPolicy,
    });
    expect(star.body.error.details.issues.map((i: Json) => i.path)).toEqual(['if-match']);
  });

  it('refuses every invalid body with 400 validation_failed, field paths and zh+en, writing nothing', async () => {
    const before = await counts();
    const cases: Array<[unknown, string[]]> = [
      [{ ...passportPolicy, destinationCountryCode: 'China' }, ['destinationCountryCode']],
      [{ ...passportPolicy, originCountryCode: 'XX' }, ['originCountryCode']],
      [{ ...passportPolicy, carrierCode: 'SF Express' }, ['carrierCode']],
      [
        { ...passportPolicy, requirements: { id_documents_required: ['selfie'] } },
        ['requirements.id_documents_required.0'],
      ],
      [{ ...passportPolicy, requirements: { lost: ['passport'] } }, ['requirements']],
      [{ ...passportPolicy, defaultDeadlineHours: 0 }, ['defaultDeadlineHours']],
      [{ ...passportPolicy, defaultDeadlineHours: 721 }, ['defaultDeadlineHours']],
      [{ ...passportPolicy, expedite: { deadlineWithinHours: -1 } }, ['expedite.deadlineWithinHours']],
      [
        { ...passportPolicy, expedite: { highValue: { minimum: { currencyCode: 'rmb', amountMinor: 1 } } } },
        ['expedite.highValue.minimum.currencyCode'],
      ],
      [{ ...passportPolicy, carrierCode: 'other-express', colour: 'red' }, ['']],
    ];
    for (const [body, paths] of cases) {
      const res = await app.request('POST', '/v1/policies', { headers: manager, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'validation_failed',
        message: { en: 'The request failed validation.', zh: '请求未通过校验。' },
      });
      expect(res.body.error.details.issues.map((i: Json) => i.path)).toEqual(paths);
    }
    const badJson = await fetch(`${app.url}/v1/policies`, {
      method: 'POST',
      headers: { ...manager, 'content-type': 'application/json' },
      body: '{"requirements": ',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as Json).error.code).toBe('invalid_json');

    const operatorWithoutTenant = await app.request('POST', '/v1/policies', {
      headers: operator,
      body: { ...passportPolicy, carrierCode: 'op-express' },
    });
    expect(operatorWithoutTenant.status).toBe(400);
    expect(operatorWithoutTenant.body.error.details.issues.map((i: Json) => i.path)).toEqual(['tenantId']);
    expect(await counts()).toEqual(before);
  });

  it('answers unknown and malformed policy ids with 404 policy_not_found', async () => {
    for (const [method, id] of [
      ['GET', `pol_${'0'.repeat(32)}`],
      ['GET', 'not-a-policy'],
      ['DELETE', `pol_${'0'.repeat(32)}`],
      ['GET', `pol_${'0'.repeat(32)}/changes`],
    ]) {
      const res = await app.request(method!, `/v1/policies/${id}`, { headers: manager });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        code: 'policy_not_found',
        message: { en: expect.any(String), zh: expect.any(String) },
      });
    }
    const put = await app.request('PUT', `/v1/policies/pol_${'0'.repeat(32)}`, {
      headers: { ...manager, 'if-match': '"1"' },
      body: passportPolicy,
    });
    expect(put.body.error.code).toBe('policy_not_found');
  });

  it('keeps tenants apart and platform defaults for operators', async () => {
    const before = await counts();
    const codeOf = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await app.request(method, path, { headers, body });
      return [res.status, res.body?.error?.code];
    };
    expect(await codeOf('GET', `/v1/policies/${policyId}`, stranger)).toEqual([403, 'tenant_mismatch']);
    expect(await codeOf('GET', `/v1/policies/${policyId}/changes`, stranger)).toEqual([
      403,
      'tenant_mismatch',
    ]);
    expect(
      await codeOf('PUT', `/v1/policies/${policyId}`, { ...stranger, 'if-match': '"4"' }, passportPolicy),
    ).toEqual([403, 'tenant_mismatch']);
    expect(await codeOf('DELETE', `/v1/policies/${policyId}`, stranger)).toEqual([403, 'tenant_mismatch']);
    expect(await codeOf('GET', `/v1/policies?tenantId=${TENANT}`, stranger)).toEqual([
      403,
      'tenant_mismatch',
    ]);
    expect(await codeOf('POST', '/v1/policies', stranger, { ...passportPolicy, tenantId: TENANT })).toEqual([
      403,
      'tenant_mismatch',
    ]);
    expect(await codeOf('POST', '/v1/policies', steward, passportPolicy)).toEqual([403, 'forbidden']);
    expect(await codeOf('POST', '/v1/policies', manager, { ...passportPolicy, tenantId: null })).toEqual([
      403,
      'platform_policy_operators_only',
    ]);
    expect(
      await codeOf('PUT', '/v1/policies/pol_default_cn', { ...manager, 'if-match': '"1"' }, passportPolicy),
    ).toEqual([403, 'platform_policy_operators_only']);
    expect(await codeOf('DELETE', '/v1/policies/pol_default', manager)).toEqual([
      403,
      'platform_policy_operators_only',
    ]);
    expect(await codeOf('GET', '/v1/policies', {})).toEqual([401, 'credentials_missing']);
    const others = await app.request('GET', '/v1/policies', { headers: stranger });
    expect(others.body.items.map((p: Json) => p.id)).toEqual(['pol_default', 'pol_default_cn']);
    expect(await counts()).toEqual(before);

    // Operators: any tenant, named in the body.
    const forOther = await app.request('POST', '/v1/policies', {
      headers: operator,
      body: { ...passportPolicy, tenantId: OTHER, carrierCode: 'op-express' },
    });
    expect(forOther.status).toBe(201);
    expect(forOther.body.tenantId).toBe(OTHER);
    const all = await app.request('GET', '/v1/policies', { headers: operator });
    expect(all.body.items.map((p: Json) => p.id)).toEqual(
      expect.arrayContaining([policyId, forOther.body.id]),
    );
    const [audit] = await auditRows(forOther.body.id);
    expect(audit).toMatchObject({
      actor_id: 'it-operator-platform',
      actor_roles: ['operator'],
      tenant_id: OTHER,
    });
  });

  it('refuses a second active policy for the same scope with 409 policy_scope_taken', async () => {
    const before = await counts();
    const duplicate = await app.request('POST', '/v1/policies', {
      headers: manager,
      body: { ...passportPolicy, defaultDeadlineHours: 99 },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'policy_scope_taken', details: { policyId } });

    // Moving another policy onto the taken scope is refused the same way.
    const second = await app.request('POST', '/v1/policies', {
      headers: manager,
      body: { ...passportPolicy, carrierCode: 'pol-express' },
    });
    expect(second.status).toBe(201);
    const afterSecond = await counts();
    const onto = await app.request('PUT', `/v1/policies/${second.body.id}`, {
      headers: { ...manager, 'if-match': '"1"' },
      body: passportPolicy,
    });
    expect(onto.status).toBe(409);
    expect(onto.body.error.code).toBe('policy_scope_taken');
    expect(await counts()).toEqual(afterSecond);
    expect(afterSecond).toEqual({ policies: before.policies + 1, changes: before.changes + 1 });
    // not needed by later tests: the more specific carrier policy would win their holds
    expect((await app.request('DELETE', `/v1/policies/${second.body.id}`, { headers: manager })).status).toBe(
      200,
    );

    // A concurrent writer takes the scope after our pre-check: the unique index decides, same answer.
    const racer = new Client({ connectionString: app.config.databaseUrl });
    await racer.connect();
    try {
      await racer.query('BEGIN');
      await racer.query(
        `INSERT INTO clearance_policies (id, tenant_id, carrier_code, requirements, default_deadline_hours, expedite)
         VALUES ($1, $2, 'race-express', '{}'::jsonb, 24, '{}'::jsonb)`,
        [`pol_race_${run}`, TENANT],
      );
      const pending = app.request('POST', '/v1/policies', {
        headers: manager,
        body: { ...passportPolicy, carrierCode: 'race-express', destinationCountryCode: null },
      });
      // the API's insert is now waiting on the uncommitted row's index entry
      await waitFor(
        async () =>
          (
            await app.pg.query(
              `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO clearance_policies%'`,
            )
          ).rows.length > 0,
        { timeoutMs: 10_000, description: 'the API insert blocked on the index' },
      );
      await racer.query('COMMIT');
      const lost = await pending;
      expect(lost.status).toBe(409);
      expect(lost.body.error).toEqual({
        code: 'policy_scope_taken',
        message: { en: expect.any(String), zh: expect.any(String) },
      });
    } finally {
      await racer.end();
    }
    const { rows } = await app.pg.query(
      `SELECT id FROM clearance_policies WHERE tenant_id = $1 AND carrier_code = 'race-express'`,
      [TENANT],
    );
    expect(rows.map((r: Json) => r.id)).toEqual([`pol_race_${run}`]);
    await app.pg.query(`UPDATE clearance_policies SET active = false WHERE id = $1`, [`pol_race_${run}`]);
  });

  it('commits a policy and its audit row together: a failing audit insert leaves no policy behind', async () => {
    const blocked = `ten_blocked_${run}`;
    await app.pg.query(
      `ALTER TABLE clearance_policy_changes ADD CONSTRAINT it_block_${run} CHECK (tenant_id IS DISTINCT FROM '${blocked}')`,
    );
    try {
      const res = await app.request('POST', '/v1/policies', {
        headers: operator,
        body: { ...passportPolicy, tenantId: blocked },
      });
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('internal_error');
      const { rows } = await app.pg.query(`SELECT id FROM clearance_policies WHERE tenant_id = $1`, [
        blocked,
      ]);
      expect(rows).toEqual([]);
    } finally {
      await app.pg.query(`ALTER TABLE clearance_policy_changes DROP CONSTRAINT it_block_${run}`);
    }
  });

  it('deactivates a policy, keeping the row, its history and its cases; holds fall back to the platform default', async () => {
    const deactivated = await app.request('DELETE', `/v1/policies/${policyId}`, {
      headers: { ...manager, 'if-match': '"4"' },
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id: policyId, active: false, version: 5, editable: false });

    const read = await app.request('GET', `/v1/policies/${policyId}`, { headers: steward });
    expect(read.body.active).toBe(false);
    const listed = await app.request('GET', '/v1/policies', { headers: steward });
    expect(listed.body.items.map((p: Json) => p.id)).not.toContain(policyId);
    const withInactive = await app.request('GET', '/v1/policies?includeInactive=true', { headers: steward });
    expect(withInactive.body.items.map((p: Json) => p.id)).toContain(policyId);

    const again = await app.request('DELETE', `/v1/policies/${policyId}`, { headers: manager });
    expect(again.status).toBe(200);
    const changes = await app.request('GET', `/v1/policies/${policyId}/changes`, { headers: steward });
    expect(changes.body.items.map((c: Json) => [c.action, c.version])).toEqual([
      ['created', 1],
      ['replaced', 2],
      ['replaced', 3],
      ['replaced', 4],
      ['deactivated', 5],
    ]);
    expect(changes.body.items[4]).toMatchObject({
      actor: { kind: 'person', id: `it-manager-${TENANT}` },
      changedFields: ['active'],
      before: { active: true },
      after: { active: false },
    });

    const edit = await app.request('PUT', `/v1/policies/${policyId}`, {
      headers: { ...manager, 'if-match': '"5"' },
      body: passportPolicy,
    });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('policy_inactive');

    const { rows } = await app.pg.query(
      `SELECT count(*)::int AS n FROM clearance_cases WHERE policy_id = $1`,
      [policyId],
    );
    expect(rows[0].n).toBe(2);

    const heldAt = new Date(Date.now() - HOUR);
    const fallback = await caseForNewHold('C', heldAt);
    expect(fallback).toMatchObject({
      policyId: 'pol_default_cn',
      requiredDocuments: [{ type: 'resident_id_card', sides: ['front', 'back'] }],
      deadline: new Date(heldAt.getTime() + 72 * HOUR).toISOString(),
    });

    // the scope is free again
    const recreated = await app.request('POST', '/v1/policies', { headers: manager, body: passportPolicy });
    expect(recreated.status).toBe(201);
  });
});
