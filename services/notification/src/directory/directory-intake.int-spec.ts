// The directory's intake paths and the front-desk queue against the real broker and Postgres: API
// keys issued by an operator, CSV imports, roster changes (out of order, repeated, removals, the
// purge timer), the front-desk link resuming a waiting documents request, tenant isolation, and a
// scan proving no name, phone or e-mail reached Kafka or the logs. Ids are unique per run: the
// topics are shared with other suites.
import { randomBytes, randomInt } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import {
  notification,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  parcelRef,
  type OutreachEvent,
} from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { NotificationHarness } from '../it-harness';

const run = randomBytes(4).toString('hex');
const GIVEN = ['婉', '清', '若', '雪', '晴', '岚', '瑶', '瑾', '珂', '璇'];
const g = () => GIVEN[randomInt(GIVEN.length)];
const mover = `慕容${g()}${g()}${g()}`; // moves out
const neighbour = `皇甫${g()}${g()}${g()}`; // gets the parcel by hand
const renamed = `令狐${g()}${g()}${g()}`; // a roster change's newer name
const phone = () => `13${randomInt(5, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const moverPhone = phone();
const neighbourPhone = phone();
const moverEmail = `mover.${run}@example.test`;
const PERSONAL_DATA = [mover, neighbour, renamed, moverPhone, neighbourPhone, moverEmail];

const TENANT = `ten_in_${run}`;
const OTHER_TENANT = `ten_other_${run}`;
const PROPERTY = `prop_in_${run}`;
const ADDRESS_LINE = `${randomInt(1, 9999)} Lujiazui Ring Road, Block ${run}`;
const MOVER = `res_mv_${run}`;
const NEIGHBOUR = `res_nb_${run}`;
const STEWARD = `stf_st_${run}`;
const MANAGER = `stf_mg_${run}`;
const ref = parcelRef('it-express', `FD${run}A`);

const residentsCsv = (rows: string[]) =>
  [
    'property_id,property_name,country,city,postal_code,address_line,time_zone,quiet_hours,resident_outreach,unit_id,unit_label,resident_id,name,phone,email,language,consent_sms,consent_email,channel_preferences,tracking_numbers',
    ...rows,
  ].join('\r\n');
const propertyCells = `${PROPERTY},Lujiazui Block ${run},CN,Shanghai,200120,"${ADDRESS_LINE}",Asia/Shanghai,22:00-07:00,direct`;

// Answers are read loosely; each test asserts the shape it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

describe('notification: directory intake (CSV, roster changes, API keys) and the front-desk queue (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  let keyA = '';
  let keyB = '';
  let keyAId = '';

  const token = (
    roles: string[],
    tenantId: string | undefined,
    propertyIds: string[] = [],
    subject?: string,
  ) =>
    h.token(roles, {
      subject: subject ?? `it-${roles.join('-')}-${run}`,
      tenantId: tenantId ?? null,
      propertyIds,
    });
  const operator = () => token(['operator'], undefined);

  const call = (
    path: string,
    options: {
      method?: string;
      bearer?: string;
      body?: unknown;
      csv?: string | Uint8Array;
      contentType?: string;
    } = {},
  ) =>
    h.call(path, {
      method: options.method,
      token: options.bearer,
      body: options.body,
      raw: options.csv,
      contentType: options.contentType,
    }) as Promise<{ status: number; text: string; json: Json }>;

  async function residentRow(id: string) {
    const { rows } = await h.pg.query(
      `SELECT name, phone, email, channel_preferences, consent_email, removed_at, purged_at FROM residents WHERE id = $1`,
      [id],
    );
    return rows[0] as Record<string, unknown> | undefined;
  }

  beforeAll(async () => {
    h = await NotificationHarness.start(
      {
        TIMER_POLL_INTERVAL_MS: '200',
        // purge at once, so the test sees the timer fire
        DIRECTORY_PURGE_AFTER_DAYS: '0',
        DIRECTORY_CSV_MAX_BYTES: '4096',
      },
      { tenantId: TENANT },
    );
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('lets operators issue keys (shown once), list them without secrets, and audits who did it', async () => {
    const issued = await call('/v1/api-keys', {
      method: 'POST',
      bearer: await operator(),
      body: { tenantId: TENANT, name: 'PMS', scopes: ['directory:write'] },
    });
    expect(issued.status).toBe(201);
    keyA = issued.json.apiKey as string;
    keyAId = issued.json.key.keyId as string;
    expect(keyA).toMatch(/^pk_test_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}$/);
    const other = await call('/v1/api-keys', {
      method: 'POST',
      bearer: await operator(),
      body: { tenantId: OTHER_TENANT, name: 'Other PMS', scopes: ['directory:write'] },
    });
    keyB = other.json.apiKey as string;

    const listed = await call(`/v1/api-keys?tenantId=${TENANT}`, { bearer: await operator() });
    expect(listed.json.items).toEqual([
      expect.objectContaining({ keyId: keyAId, scopes: ['directory:write'] }),
    ]);
    expect(listed.text).not.toContain(keyA.split('_')[3]);
    const unknownScope = await call('/v1/api-keys', {
      method: 'POST',
      bearer: await operator(),
      body: { tenantId: TENANT, name: 'x', scopes: ['root:all'] },
    });
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.json.error.code).toBe('api_key_request_invalid');
    // Stewards do not manage keys.
    const asSteward = await call(`/v1/api-keys?tenantId=${TENANT}`, {
      bearer: await token(['steward'], TENANT, [PROPERTY]),
    });
    expect(asSteward.status).toBe(403);
    const { rows } = await h.pg.query(`SELECT action, actor FROM api_key_audit WHERE key_id = $1`, [keyAId]);
    expect(rows).toEqual([{ action: 'issued', actor: `it-operator-${run}` }]);
  });

  it('imports residents from CSV (UTF-8 with BOM) onto the same schema and writer, and staff from a staff CSV', async () => {
    const csv =
      '\uFEFF' +
      residentsCsv([
        `${propertyCells},unit_${run}_1,12-03,${MOVER},${mover},${moverPhone},${moverEmail},zh,yes,yes,email|sms,it-express:${ref.trackingNumber}`,
        `${propertyCells},unit_${run}_1,12-03,${NEIGHBOUR},${neighbour},${neighbourPhone},,en,no,no,,`,
        `${propertyCells},unit_${run}_2,12-04,,,,,,,,,`,
      ]);
    const res = await call(`/v1/directory/import?tenantId=${TENANT}&tenantName=Lujiazui`, {
      method: 'POST',
      bearer: keyA,
      csv,
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ tenantId: TENANT, properties: 1, units: 2, residents: 2, staff: 0, rows: 3 });
    expect(await residentRow(MOVER)).toMatchObject({
      email: moverEmail,
      channel_preferences: ['email', 'sms'],
      consent_email: true,
    });
    const { rows } = await h.pg.query(
      `SELECT resident_outreach, to_char(quiet_hours_start, 'HH24:MI') AS qs FROM properties WHERE id = $1`,
      [PROPERTY],
    );
    expect(rows).toEqual([{ resident_outreach: 'direct', qs: '22:00' }]);

    const staff = [
      'staff_id,name,role,channel_kind,channel_address,property_ids,on_duty,priority,weekdays,duty_start,duty_end',
      `${STEWARD},Steward ${run},steward,email,${STEWARD}@example.test,${PROPERTY},true,200,,,`,
      `${MANAGER},Manager ${run},manager,email,${MANAGER}@example.test,${PROPERTY},false,100,1|2|3|4|5,09:00,18:00`,
    ].join('\n');
    const staffRes = await call(`/v1/directory/import?tenantId=${TENANT}&kind=staff`, {
      method: 'POST',
      bearer: keyA,
      csv: staff,
    });
    expect(staffRes.status).toBe(200);
    expect(staffRes.json).toMatchObject({ staff: 2, properties: 0 });
    const { rows: rota } = await h.pg.query(
      `SELECT staff_id, weekdays, to_char(starts_at, 'HH24:MI') AS starts FROM duty_rota WHERE property_id = $1 ORDER BY staff_id`,
      [PROPERTY],
    );
    expect(rota).toEqual([
      { staff_id: MANAGER, weekdays: [1, 2, 3, 4, 5], starts: '09:00' },
      { staff_id: STEWARD, weekdays: null, starts: null },
    ]);
  });

  it('rejects a malformed CSV with per-row errors (row, column, code, zh/en), writing nothing', async () => {
    const newcomer = `res_new_${run}`;
    const csv = residentsCsv([
      `${propertyCells},unit_${run}_1,12-03,${newcomer},Newcomer,13900001111,,zh,,,,`,
      `${propertyCells},unit_${run}_1,12-03,res_bad_${run},${renamed},not-a-phone,bad@,zh,maybe,,wecom,`,
    ]);
    const res = await call(`/v1/directory/import?tenantId=${TENANT}`, { method: 'POST', bearer: keyA, csv });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('csv_invalid');
    const issues = res.json.error.details.issues as {
      row: number;
      column: string;
      code: string;
      message: { en: string; zh: string };
    }[];
    expect(issues.map((i) => `${i.row}:${i.column}`)).toEqual(
      expect.arrayContaining(['3:phone', '3:email', '3:consent_sms']),
    );
    expect(issues.every((i) => i.message.en && i.message.zh)).toBe(true);
    expect(res.text).not.toContain(renamed);
    expect(res.text).not.toContain('not-a-phone');
    expect(await residentRow(newcomer)).toBeUndefined();

    // GBK bytes (not UTF-8) and a declared other charset are refused clearly.
    const gbk = Buffer.concat([Buffer.from(residentsCsv([]) + '\n'), Buffer.from([0xc0, 0xee, 0xce, 0xb0])]);
    const notUtf8 = await call(`/v1/directory/import?tenantId=${TENANT}`, {
      method: 'POST',
      bearer: keyA,
      csv: gbk,
    });
    expect(notUtf8.status).toBe(415);
    expect(notUtf8.json.error.code).toBe('csv_encoding_unsupported');
    const declared = await call(`/v1/directory/import?tenantId=${TENANT}`, {
      method: 'POST',
      bearer: keyA,
      csv: residentsCsv([]),
      contentType: 'text/csv; charset=gbk',
    });
    expect(declared.status).toBe(415);
    const tooLarge = await call(`/v1/directory/import?tenantId=${TENANT}`, {
      method: 'POST',
      bearer: keyA,
      csv: residentsCsv(Array.from({ length: 40 }, () => `${propertyCells},unit_${run}_1,12-03,,,,,,,,,`)),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.error).toMatchObject({ code: 'csv_too_large', details: { limitBytes: 4096 } });
  });

  it("keeps tenants apart: another tenant's key can neither write this directory nor take over its ids", async () => {
    const csv = residentsCsv([`${propertyCells},unit_${run}_1,12-03,${MOVER},x,,,zh,,,,`]);
    const foreign = await call(`/v1/directory/import?tenantId=${TENANT}`, {
      method: 'POST',
      bearer: keyB,
      csv,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('tenant_mismatch');
    const takeover = await call(`/v1/directory/import?tenantId=${OTHER_TENANT}&tenantName=Other`, {
      method: 'POST',
      bearer: keyB,
      csv,
    });
    expect(takeover.status).toBe(409);
    expect(takeover.json.error.code).toBe('directory_id_conflict');
    expect(takeover.json.error.details.issues[0]).toMatchObject({ row: 2, column: 'property_id' });
    const changes = await call('/v1/directory/changes', {
      method: 'POST',
      bearer: keyB,
      body: {
        tenantId: TENANT,
        changes: [
          {
            changeId: 'c1',
            occurredAt: new Date().toISOString(),
            type: 'resident.remove',
            residentId: MOVER,
          },
        ],
      },
    });
    expect(changes.status).toBe(403);
    // Removing another tenant's resident under one's own tenant finds nothing.
    const ownTenant = await call('/v1/directory/changes', {
      method: 'POST',
      bearer: keyB,
      body: {
        tenantId: OTHER_TENANT,
        changes: [
          {
            changeId: 'c1',
            occurredAt: new Date().toISOString(),
            type: 'resident.remove',
            residentId: MOVER,
          },
        ],
      },
    });
    expect(ownTenant.json.results).toEqual([
      { changeId: 'c1', type: 'resident.remove', outcome: 'not_found' },
    ]);
    expect((await residentRow(MOVER))?.removed_at).toBeNull();
  });

  it('applies roster changes last-writer-wins by occurredAt; a repeated changeId is a no-op', async () => {
    // After the import, which stamped every resident it listed as of its own time.
    const t0 = Date.now();
    const upsert = (changeId: string, at: number, name: string) => ({
      changeId,
      occurredAt: new Date(at).toISOString(),
      type: 'resident.upsert',
      unitId: `unit_${run}_1`,
      resident: { id: NEIGHBOUR, name, phone: neighbourPhone, language: 'en' },
    });
    // The newer change arrives first, the older one afterwards, then the newer one again.
    const newer = await call('/v1/directory/changes', {
      method: 'POST',
      bearer: keyA,
      body: { tenantId: TENANT, changes: [upsert(`chg_${run}_2`, t0 + 2_000, neighbour)] },
    });
    expect(newer.json.results[0].outcome).toBe('applied');
    const older = await call('/v1/directory/changes', {
      method: 'POST',
      bearer: keyA,
      body: {
        tenantId: TENANT,
        changes: [
          upsert(`chg_${run}_1`, t0 + 1_000, renamed),
          upsert(`chg_${run}_2`, t0 + 2_000, neighbour),
          {
            changeId: `chg_${run}_3`,
            occurredAt: new Date(t0 + 3_000).toISOString(),
            type: 'duty.set',
            staffId: STEWARD,
            propertyId: PROPERTY,
            onDuty: true,
            priority: 300,
          },
        ],
      },
    });
    expect(older.status).toBe(200);
    expect(older.json.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'stale',
      'duplicate',
      'applied',
    ]);
    expect(await residentRow(NEIGHBOUR)).toMatchObject({ name: neighbour });
    const bad = await call('/v1/directory/changes', {
      method: 'POST',
      bearer: keyA,
      body: {
        tenantId: TENANT,
        changes: [
          {
            changeId: `chg_${run}_4`,
            occurredAt: new Date().toISOString(),
            type: 'resident.remove',
            residentId: NEIGHBOUR,
          },
          {
            changeId: `chg_${run}_5`,
            occurredAt: new Date().toISOString(),
            type: 'duty.set',
            staffId: 'stf_nobody',
            propertyId: PROPERTY,
            onDuty: true,
          },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.issues).toEqual([
      { path: 'changes.1.staffId', code: 'unknown_assignment' },
    ]);
    // all-or-nothing: the removal in the same batch did not happen
    expect((await residentRow(NEIGHBOUR))?.removed_at).toBeNull();
  });

  it('a moved-out resident no longer matches; the front desk links the parcel and the documents task follows', async () => {
    const removed = await call('/v1/directory/changes', {
      method: 'POST',
      bearer: keyA,
      body: {
        tenantId: TENANT,
        changes: [
          {
            changeId: `chg_${run}_out`,
            occurredAt: new Date().toISOString(),
            type: 'resident.remove',
            residentId: MOVER,
          },
        ],
      },
    });
    expect(removed.json.results[0].outcome).toBe('applied');
    // The purge timer (retention 0 days here) blanks the personal data but keeps the row.
    await waitFor(async () => (await residentRow(MOVER))?.purged_at !== null, {
      timeoutMs: 15_000,
      description: 'the purge',
    });
    expect(await residentRow(MOVER)).toMatchObject({ name: '', phone: null, email: null });

    // The parcel the mover pre-registered, addressed to them.
    await h.publishHold(ref, {
      name: mover,
      phone: moverPhone,
      postalCode: '200120',
      addressLine: ADDRESS_LINE,
      unit: '12-03',
    });
    const caseId = `case_fd_${run}`;
    const deadline = new Date(Date.now() + 72 * 3600_000);
    await h.publishDocumentsRequested(ref, caseId, { deadline, expedited: true });
    const stewardToken = await token(['steward'], TENANT, [PROPERTY], `user-steward-${run}`);
    const [entry] = await waitFor(
      async () => {
        const r = await call('/v1/front-desk/queue', { bearer: stewardToken });
        return (
          (r.json.items as Record<string, unknown>[]).length > 0 &&
          (r.json.items as Record<string, unknown>[])
        );
      },
      { timeoutMs: 30_000, description: 'the queue entry' },
    );
    expect(entry).toMatchObject({
      parcelId: ref.parcelId,
      caseId,
      propertyId: PROPERTY,
      reason: 'no_resident',
      state: 'open',
    });

    // Another tenant's steward sees nothing and cannot link (404: existence not revealed).
    const stranger = await token(['steward'], OTHER_TENANT, [PROPERTY]);
    expect((await call('/v1/front-desk/queue', { bearer: stranger })).json.items).toEqual([]);
    const strangerLink = await call(`/v1/front-desk/queue/${entry!.id}/link`, {
      method: 'POST',
      bearer: stranger,
      body: { residentId: NEIGHBOUR },
    });
    expect(strangerLink.status).toBe(404);
    // The moved-out resident cannot be linked either.
    const toMover = await call(`/v1/front-desk/queue/${entry!.id}/link`, {
      method: 'POST',
      bearer: stewardToken,
      body: { residentId: MOVER },
    });
    expect(toMover.json.error.code).toBe('resident_not_found');

    const linked = await call(`/v1/front-desk/queue/${entry!.id}/link`, {
      method: 'POST',
      bearer: stewardToken,
      body: { residentId: NEIGHBOUR },
    });
    expect(linked.status).toBe(200);
    expect(linked.json).toMatchObject({ parcelId: ref.parcelId, residentId: NEIGHBOUR });
    expect(linked.json.taskId).toEqual(expect.any(String));
    const again = await call(`/v1/front-desk/queue/${entry!.id}/link`, {
      method: 'POST',
      bearer: stewardToken,
      body: { residentId: NEIGHBOUR },
    });
    expect(again.json.error.code).toBe('front_desk_entry_closed');

    const tasks = await call(`/v1/outreach/tasks?caseId=${caseId}`, { bearer: stewardToken });
    const byKind = Object.fromEntries((tasks.json.items as Json[]).map((t) => [t.kind, t]));
    expect(byKind.unmatched_parcel).toMatchObject({ state: 'closed', closeResolution: 'completed' });
    expect(byKind.documents_requested).toMatchObject({
      id: linked.json.taskId,
      state: 'open',
      residentId: NEIGHBOUR,
      stewardId: STEWARD,
      expedited: true,
      deadline: deadline.toISOString(),
    });

    // RecipientResolved FRONT_DESK with who linked it, TaskClosed COMPLETED, the new task: one each.
    const found = await h.readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (r) => r.key === ref.parcelId,
      (f) => f.length >= 4,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const events = found.map((r) => fromBinary(OutreachEventSchema, r.value) as OutreachEvent);
    const of = (k: OutreachEvent['event']['case']) =>
      events.filter((e) => e.event.case === k).map((e) => e.event.value);
    const resolved = of('recipientResolved') as notification.RecipientResolved[];
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({
      residentId: NEIGHBOUR,
      linkedById: `user-steward-${run}`,
      propertyId: PROPERTY,
    });
    expect(resolved[0]!.method).toBe(notification.ResolutionMethod.FRONT_DESK);
    const closedEvents = of('taskClosed') as notification.TaskClosed[];
    expect(closedEvents.map((c) => c.resolution)).toEqual([notification.TaskResolution.COMPLETED]);
    expect((of('outreachTaskCreated') as notification.OutreachTaskCreated[]).map((c) => c.kind)).toEqual([
      notification.OutreachKind.UNMATCHED_PARCEL,
      notification.OutreachKind.DOCUMENTS_REQUESTED,
    ]);

    // Nothing personal in what was emitted for the parcel, nor in any log line of this run.
    const emitted = [
      ...found.map(
        (r) => `${r.value.toString('utf8')}\n${r.value.toString('hex')}\n${JSON.stringify(r.headers)}`,
      ),
      h.logs(),
    ].join('\n');
    expect(h.logs()).toContain('roster changes applied');
    expect(h.logs()).toContain('front-desk parcel linked to a resident');
    for (const value of PERSONAL_DATA) {
      expect(emitted.includes(value)).toBe(false);
      expect(emitted.includes(Buffer.from(value, 'utf8').toString('hex'))).toBe(false);
    }
  }, 120_000);

  it('a revoked key is refused at once (401), and the revocation is audited', async () => {
    const revoked = await call(`/v1/api-keys/${keyAId}/revoke?tenantId=${TENANT}`, {
      method: 'POST',
      bearer: await operator(),
    });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).toEqual(expect.any(String));
    const wrongTenant = await call(`/v1/api-keys/${keyAId}/revoke?tenantId=${OTHER_TENANT}`, {
      method: 'POST',
      bearer: await operator(),
    });
    expect(wrongTenant.status).toBe(404);
    const refused = await call(`/v1/directory/import?tenantId=${TENANT}`, {
      method: 'POST',
      bearer: keyA,
      csv: residentsCsv([]),
    });
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('api_key_revoked');
    const { rows } = await h.pg.query(`SELECT action FROM api_key_audit WHERE key_id = $1 ORDER BY id`, [
      keyAId,
    ]);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['issued', 'revoked']);
  });
});
