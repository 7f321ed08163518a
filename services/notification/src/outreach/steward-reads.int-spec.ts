// The steward read APIs added for the console against the real broker, Postgres and SMTP sink:
// a parcel's messages with their delivery status (the steward's new-task notice really goes out by
// e-mail), and the server-side task search by tracking number, unit and resident name. Tasks come
// from real tracking/clearance events; scope is checked for another property's steward.
import { SmtpSink } from '@portico/testing/smtp';
import { waitFor } from '@portico/testing';
import { NotificationHarness, uniqueResident } from '../it-harness';

describe('notification: message history and task search (real Kafka + Postgres + SMTP)', () => {
  const sink = new SmtpSink();
  let h: NotificationHarness;
  let r: string;
  const residentA = { ...uniqueResident(), unit: '12-03' };
  const residentB = { ...uniqueResident(), unit: '7-01' };
  let ids: { a: string; b: string; stewardA: string; stewardB: string };
  const tasks: Record<
    'a' | 'b',
    { taskId: string; parcelId: string; caseId: string; trackingNumber: string }
  > = {} as never;

  const stewardA = () => h.token(['steward'], { subject: ids.stewardA, propertyIds: [ids.a] });
  const stewardB = () => h.token(['steward'], { subject: ids.stewardB, propertyIds: [ids.b] });
  const search = async (token: string, body: unknown) =>
    h.call('/v1/outreach/tasks/search', { method: 'POST', token, body });

  beforeAll(async () => {
    await sink.start();
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: '3600000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
    });
    r = h.run;
    ids = { a: `prop_sr_a_${r}`, b: `prop_sr_b_${r}`, stewardA: `stf_sr_a_${r}`, stewardB: `stf_sr_b_${r}` };
    const property = (
      id: string,
      line: string,
      unitId: string,
      resident: typeof residentA,
      residentId: string,
    ) => ({
      id,
      name: `Tower ${id}`,
      address: {
        country: 'CN',
        region: 'Shanghai',
        city: 'Shanghai',
        district: 'Pudong',
        postalCode: '200120',
        addressLine: line,
      },
      units: [
        {
          id: unitId,
          label: resident.unit,
          residents: [{ id: residentId, name: resident.name, phone: resident.phone, language: 'zh' }],
        },
      ],
    });
    const staff = (id: string, propertyId: string) => ({
      id,
      name: `Steward ${id}`,
      role: 'steward',
      language: 'zh',
      channel: { kind: 'email', address: `${id}@example.test` },
      propertyIds: [propertyId],
      onDuty: true,
    });
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Search Residences ${r}` },
      properties: [
        property(ids.a, `${r} Century Avenue A`, `unit_a_${r}`, residentA, `res_a_${r}`),
        property(ids.b, `${r} Century Avenue B`, `unit_b_${r}`, residentB, `res_b_${r}`),
      ],
      staff: [staff(ids.stewardA, ids.a), staff(ids.stewardB, ids.b)],
    });
    for (const [key, resident, line] of [
      ['a', residentA, `${r} Century Avenue A`],
      ['b', residentB, `${r} Century Avenue B`],
    ] as const) {
      const ref = h.parcel(`SR${key.toUpperCase()}`);
      const caseId = `case_sr_${key}_${r}`;
      await h.publishHold(ref, { ...resident, postalCode: '200120', addressLine: line });
      await h.publishDocumentsRequested(ref, caseId, { deadline: new Date(Date.now() + 72 * 3600_000) });
      const [task] = await h.tasksOf(ref.parcelId);
      tasks[key] = {
        taskId: task!.id as string,
        parcelId: ref.parcelId,
        caseId,
        trackingNumber: ref.trackingNumber,
      };
    }
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await sink.stop();
  }, 60_000);

  describe('messages', () => {
    it("lists the steward's new-task notice with its real delivery status, recipient as a role only", async () => {
      const items = await waitFor(
        async () => {
          const res = await h.call(`/v1/outreach/messages?parcelId=${tasks.a.parcelId}`, {
            token: await stewardA(),
          });
          const list = res.json.items as Array<Record<string, unknown>> | undefined;
          return list?.some((m) => m.status === 'sent') ? list : undefined;
        },
        { timeoutMs: 20_000, description: 'the new-task notice sent by e-mail' },
      );
      const notice = items.find((m) => m.templateRef === 'steward-new-task@1')!;
      expect(notice).toMatchObject({
        taskId: tasks.a.taskId,
        parcelId: tasks.a.parcelId,
        propertyId: ids.a,
        recipientRole: 'steward',
        status: 'sent',
        channel: 'email',
        attempts: 1,
        failedOverFrom: [],
        deliveredAt: null,
        failedAt: null,
        attemptLog: [
          expect.objectContaining({ attempt: 1, channel: 'email', outcome: 'sent', errorCode: null }),
        ],
      });
      expect(Date.parse(notice.sentAt as string)).toBeGreaterThanOrEqual(
        Date.parse(notice.queuedAt as string),
      );
      const text = JSON.stringify(items);
      expect(text).not.toContain(`${ids.stewardA}@example.test`);
      expect(text).not.toContain(ids.stewardA); // the recipient id is not answered either
      expect(Object.keys(notice)).not.toContain('recipientId');
    }, 30_000);

    it('shows a failover and a final failure as the worker recorded them', async () => {
      // A message the worker moved from sms to email, where it failed for good: rows as
      // MessagesRepository.failOver/markFailed write them (the rules themselves: message-rules.spec).
      const id = `msg_sr_${r}`;
      await h.pg.query(
        `INSERT INTO messages (id, dedupe_key, tenant_id, property_id, task_id, case_id, parcel_id, recipient_role, recipient_id,
                               template_id, template_version, language, channel_plan, channel_index, attempt, status,
                               next_attempt_at, last_error_code, created_at, finished_at)
         VALUES ($1, $1, $2, $3, $4, $5, $6, 'resident', $7, 'resident-documents-requested', 1, 'zh', '{sms,email}', 1, 2,
                 'failed', now(), 'smtp_550', now() - interval '2 minutes', now())`,
        [id, h.tenantId, ids.a, tasks.a.taskId, tasks.a.caseId, tasks.a.parcelId, `res_a_${r}`],
      );
      await h.pg.query(
        `INSERT INTO message_attempts (message_id, attempt, channel, recipient_key, started_at, finished_at, outcome, error_code, retryable)
         VALUES ($1, 1, 'sms', 'resident:x', now() - interval '2 minutes', now() - interval '119 seconds', 'failed', 'isv.MOBILE_NUMBER_ILLEGAL', false),
                ($1, 2, 'email', 'resident:x', now() - interval '1 minute', now(), 'failed', 'smtp_550', false)`,
        [id],
      );
      const res = await h.call(`/v1/outreach/tasks/${tasks.a.taskId}/messages`, { token: await stewardA() });
      expect(res.status).toBe(200);
      const failed = (res.json.items as Array<Record<string, unknown>>).find((m) => m.id === id);
      expect(failed).toMatchObject({
        recipientRole: 'resident',
        status: 'failed',
        channel: 'email',
        failedOverFrom: ['sms'],
        attempts: 2,
        sentAt: null,
        failedAt: expect.any(String),
        lastErrorCode: 'smtp_550',
        attemptLog: [
          expect.objectContaining({
            channel: 'sms',
            outcome: 'failed',
            errorCode: 'isv.MOBILE_NUMBER_ILLEGAL',
          }),
          expect.objectContaining({ channel: 'email', outcome: 'failed', errorCode: 'smtp_550' }),
        ],
      });
      expect(res.text).not.toContain(`res_a_${r}`);
      expect(res.text).not.toContain(residentA.name);
      expect(res.text).not.toContain(residentA.phone);
    });

    it("hides another property's messages: empty list, 403 for its propertyId, 404 for its task", async () => {
      const list = await h.call(`/v1/outreach/messages?parcelId=${tasks.a.parcelId}`, {
        token: await stewardB(),
      });
      expect(list.status).toBe(200);
      expect(list.json.items).toEqual([]);
      const asked = await h.call(`/v1/outreach/messages?parcelId=${tasks.a.parcelId}&propertyId=${ids.a}`, {
        token: await stewardB(),
      });
      expect(asked.status).toBe(403);
      expect(asked.json).toMatchObject({ error: { code: 'tenant_mismatch' } });
      const byTask = await h.call(`/v1/outreach/tasks/${tasks.a.taskId}/messages`, {
        token: await stewardB(),
      });
      expect(byTask.status).toBe(404);
      expect(byTask.json).toMatchObject({
        error: { code: 'task_not_found', message: { en: expect.any(String), zh: expect.any(String) } },
      });
      const operator = await h.call(`/v1/outreach/messages?caseId=${tasks.a.caseId}`, {
        token: await h.operator(),
      });
      expect((operator.json.items as unknown[]).length).toBeGreaterThan(0);
    });

    it('refuses a query without parcel, case or task, and unknown keys, with 400 validation_failed', async () => {
      for (const q of ['', `?parcelId=nope`, `?parcelId=${tasks.a.parcelId}&recipientId=x`]) {
        const res = await h.call(`/v1/outreach/messages${q}`, { token: await stewardA() });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({
          error: { code: 'validation_failed', message: { en: expect.any(String), zh: expect.any(String) } },
        });
      }
    });
  });

  describe('task search', () => {
    const hitIds = (res: { json: Record<string, unknown> }) =>
      (res.json.items as Array<{ id: string }>).map((i) => i.id);

    it('finds by part of the tracking number, loosely typed (case, spaces, full-width digits)', async () => {
      const tail = tasks.a.trackingNumber.slice(-6);
      const fullWidth = tail.toLowerCase().replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
      const res = await search(await stewardA(), {
        text: ` ${fullWidth.slice(0, 3)} ${fullWidth.slice(3)} `,
      });
      expect(res.status).toBe(200);
      expect(hitIds(res)).toEqual([tasks.a.taskId]);
      expect((res.json.items as Array<Record<string, unknown>>)[0]).toMatchObject({
        matched: ['tracking_number'],
        unitLabel: '12-03',
      });
    });

    it('finds by unit (12-03 as 1203) and by part of the resident name, own property only', async () => {
      const unit = await search(await stewardA(), { text: '1203' });
      expect(hitIds(unit)).toEqual([tasks.a.taskId]);
      expect((unit.json.items as Array<Record<string, unknown>>)[0]).toMatchObject({
        matched: ['unit'],
        residentName: residentA.name,
      });
      const name = await search(await stewardA(), { text: residentA.name.slice(1) });
      expect(hitIds(name)).toEqual([tasks.a.taskId]);
      expect((name.json.items as Array<Record<string, unknown>>)[0]).toMatchObject({ matched: ['resident'] });
      // the other property's resident and unit are not found by steward A
      expect(hitIds(await search(await stewardA(), { text: residentB.name }))).toEqual([]);
      expect(hitIds(await search(await stewardA(), { text: '7-01' }))).toEqual([]);
      expect(hitIds(await search(await stewardB(), { text: residentB.name }))).toEqual([tasks.b.taskId]);
    });

    it("narrows by steward and state, lists the scope's stewards, and refuses another property with 403", async () => {
      const text = `IT${r}SR`;
      expect(hitIds(await search(await stewardA(), { text, stewardId: ids.stewardA }))).toEqual([
        tasks.a.taskId,
      ]);
      expect(hitIds(await search(await stewardA(), { text, stewardId: ids.stewardB }))).toEqual([]);
      expect(hitIds(await search(await stewardA(), { text, state: 'closed' }))).toEqual([]);
      const all = await search(await stewardA(), { text });
      expect(all.json.stewards).toEqual([{ id: ids.stewardA, name: `Steward ${ids.stewardA}` }]);
      const other = await search(await stewardA(), { text, propertyId: ids.b });
      expect(other.status).toBe(403);
      // operators search every tenant by tracking number, but never by name (names are not theirs to see)
      const op = await h.operator();
      expect(hitIds(await search(op, { text })).sort()).toEqual([tasks.a.taskId, tasks.b.taskId].sort());
      expect(hitIds(await search(op, { text: residentA.name }))).toEqual([]);
    });

    it('refuses text too short or too long, and unknown keys, with 400 and no echo of the text', async () => {
      for (const body of [
        { text: 'a' },
        { text: '- -' },
        { text: 'x'.repeat(101) },
        { text: residentA.name, unit: '1' },
      ]) {
        const res = await search(await stewardA(), body);
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({
          error: { code: 'validation_failed', message: { en: expect.any(String), zh: expect.any(String) } },
        });
        expect(res.text).not.toContain(residentA.name);
      }
    });

    it('never writes the search text, names or phones into the log', () => {
      const logs = h.logs();
      expect(logs).toContain('task search');
      for (const value of [
        residentA.name,
        residentA.name.slice(1),
        residentB.name,
        residentA.phone,
        residentB.phone,
      ])
        expect(logs).not.toContain(value);
    });
  });
});
