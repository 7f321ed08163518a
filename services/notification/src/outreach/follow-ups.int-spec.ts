// Steward follow-ups (resend, request re-upload) and the resident's case notices (reminder, hold
// predicted, closing) on NotificationHarness: the service as in production on the real broker and
// Postgres, e-mail through the real SMTP sink, links from SimulatedVaultUploadLinks (standing in
// for id-vault's internal API). Clearance's events are published the way clearance publishes
// them, duplicates included; the final test scans logs and events for the seeded personal data.
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  common,
  notification,
  NOTIFICATION_OUTREACH_TOPIC,
} from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { SmtpSink, type ReceivedMail } from '@portico/testing/smtp';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { SimulatedVaultUploadLinks } from '../messages/test-support/simulated-vault-upload-links';

const VAULT_TOKEN = `vault-${randomBytes(16).toString('hex')}`;

describe('notification: steward follow-ups and resident case notices (real Kafka + Postgres + SMTP)', () => {
  const sink = new SmtpSink();
  const vault = new SimulatedVaultUploadLinks(VAULT_TOKEN);
  let h: NotificationHarness;
  let r: string;
  const people = {
    resend: { ...uniqueResident(), unit: '3-01' },
    reupload: { ...uniqueResident(), unit: '3-02' },
    notices: { ...uniqueResident(), unit: '3-03' },
  };
  const emails = {} as Record<keyof typeof people, string>;
  const note = `请把证件放在深色桌面上拍摄-${randomBytes(3).toString('hex')}`;
  let ids: { property: string; other: string; steward: string; stranger: string };
  let address: { postalCode: string; addressLine: string };

  const steward = () => h.token(['steward'], { subject: ids.steward, propertyIds: [ids.property] });
  const act = async (taskId: string, action: string, token: string, body?: unknown, key?: string) =>
    h.call(`/v1/outreach/tasks/${taskId}/${action}`, {
      method: 'POST',
      token,
      body: body ?? {},
      headers: key ? { 'idempotency-key': key } : undefined,
    });

  async function openTask(
    suffix: string,
    who: keyof typeof people,
    deadline = new Date(Date.now() + 72 * 3600_000),
  ) {
    const ref = h.parcel(suffix);
    const caseId = `case_${h.run}_${suffix}`;
    vault.knowCase(caseId);
    const p = people[who];
    await h.publishHold(ref, { name: p.name, phone: p.phone, ...address, unit: p.unit });
    await h.publishDocumentsRequested(ref, caseId, { deadline });
    const [task] = await h.tasksOf(ref.parcelId);
    return { ref, caseId, taskId: task!.id as string };
  }

  /** The case's messages once `count` of them are finished (sent, failed, cancelled). */
  async function finished(caseOrParcel: string, count: number) {
    return waitFor(
      async () => {
        const { rows } = await h.pg.query(
          `SELECT id, recipient_role, template_id, status, channel_plan, steward_note, variables, next_attempt_at
             FROM messages WHERE (case_id = $1 OR parcel_id = $1) ORDER BY created_at, id`,
          [caseOrParcel],
        );
        const done = rows.filter((m: { status: string }) => !['queued', 'sending'].includes(m.status));
        return done.length >= count && rows.length === done.length ? rows : undefined;
      },
      { timeoutMs: 30_000, description: `${count} finished messages of ${caseOrParcel}` },
    );
  }

  const mailsTo = (email: string): ReceivedMail[] => sink.received.filter((m) => m.to.includes(email));
  const linkIn = (mail: ReceivedMail) => /https?:\/\/\S+\/u\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];

  async function publishCase(
    ref: common.ParcelRef,
    value: clearance.ClearanceCaseEvent['event'],
    eventId?: string,
  ) {
    return h.publish(
      CLEARANCE_CASE_TOPIC.name,
      ClearanceCaseEventSchema,
      create(ClearanceCaseEventSchema, { event: value }),
      ref.parcelId,
      eventId,
    );
  }

  beforeAll(async () => {
    await Promise.all([sink.start(), vault.start()]);
    h = await NotificationHarness.start({
      // Nothing escalates during these tests.
      OUTREACH_ACK_SLA_MS: '3600000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      VAULT_INTERNAL_URL: vault.url,
      VAULT_SERVICE_TOKEN: VAULT_TOKEN,
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
      MESSAGE_RETRY_DELAYS_MS: '200',
      MESSAGE_RATE_LIMIT_PER_HOUR: '5',
    });
    r = h.run;
    ids = {
      property: `prop_fu_${r}`,
      other: `prop_fu_other_${r}`,
      steward: `stf_fu_${r}`,
      stranger: `stf_fu_x_${r}`,
    };
    address = { postalCode: '200120', addressLine: `${r} Riverside Road` };
    for (const k of Object.keys(people) as (keyof typeof people)[])
      emails[k] = `${k}.${r}@residents.example.test`;
    const resident = (k: keyof typeof people) => ({
      id: `res_${k}_${r}`,
      name: people[k].name,
      phone: people[k].phone,
      email: emails[k],
      language: 'zh',
      consent: { sms: false, email: true, wecom: false },
      channelPreferences: ['email'],
    });
    const building = (postalCode: string, addressLine: string) => ({
      country: 'CN',
      region: 'Shanghai',
      city: 'Shanghai',
      district: 'Pudong',
      postalCode,
      addressLine,
    });
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Follow-up Residences ${r}` },
      properties: [
        {
          id: ids.property,
          name: `Riverside ${r}`,
          address: building(address.postalCode, address.addressLine),
          residentOutreach: 'direct',
          units: (Object.keys(people) as (keyof typeof people)[]).map((k) => ({
            id: `unit_${k}_${r}`,
            label: people[k].unit,
            residents: [resident(k)],
          })),
        },
        { id: ids.other, name: `Other ${r}`, address: building('200120', `9 Elsewhere ${r}`), units: [] },
      ],
      staff: [
        {
          id: ids.steward,
          name: `Steward ${r}`,
          role: 'steward',
          language: 'zh',
          channel: { kind: 'email', address: `steward.${r}@staff.example.test` },
          propertyIds: [ids.property],
          onDuty: true,
        },
        {
          id: ids.stranger,
          name: `Stranger ${r}`,
          role: 'steward',
          language: 'zh',
          channel: { kind: 'email', address: `stranger.${r}@staff.example.test` },
          propertyIds: [ids.other],
          onDuty: true,
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all([sink.stop(), vault.stop()]);
  }, 60_000);

  it('resends the resident’s message with a working link, once per click, on the chosen channel only when usable', async () => {
    const { caseId, taskId } = await openTask('RS', 'resend');
    const [first] = await finished(caseId, 2).then((rows) =>
      rows.filter((m) => m.recipient_role === 'resident'),
    );
    expect(first).toMatchObject({ template_id: 'resident-documents-requested', status: 'sent' });
    const firstLink = vault.issued.find((l) => l.caseId === caseId)!;
    expect(firstLink.idempotencyKey).toBe(first!.id);

    const token = await steward();
    const resent = await act(taskId, 'resend', token, { channel: 'email' }, 'resend-click-1');
    expect(resent.status).toBe(200);
    expect(resent.json).toMatchObject({
      task: { state: 'acknowledged', assigneeId: ids.steward },
      action: { action: 'resent', actorId: ids.steward, channel: 'email' },
      messageId: expect.stringMatching(/^msg_/),
    });
    const again = await act(taskId, 'resend', token, { channel: 'email' }, 'resend-click-1');
    expect(again.json).toMatchObject({
      action: { id: (resent.json.action as { id: string }).id },
      messageId: resent.json.messageId,
    });
    await waitFor(() => mailsTo(emails.resend).length >= 2, {
      timeoutMs: 20_000,
      description: 'the resent mail',
    });
    // The same vault request with a fresh secret: the old link no longer works, the new one does.
    const second = vault.issued.filter((l) => l.caseId === caseId).at(-1)!;
    expect(second).toMatchObject({ requestId: firstLink.requestId, idempotencyKey: first!.id });
    expect(linkIn(mailsTo(emails.resend).at(-1)!)).toBe(second.uploadUrl);
    expect(second.uploadUrl).not.toBe(firstLink.uploadUrl);
    expect(mailsTo(emails.resend).at(-1)!.subject).toBe(mailsTo(emails.resend)[0]!.subject);

    // The resident used the link: the next resend opens a new vault request.
    vault.closeRequest(firstLink.requestId);
    const third = await act(taskId, 'resend', token, {}, 'resend-click-2');
    expect(third.status).toBe(200);
    await waitFor(() => mailsTo(emails.resend).length >= 3, {
      timeoutMs: 20_000,
      description: 'the third mail',
    });
    const fresh = vault.issued.filter((l) => l.caseId === caseId).at(-1)!;
    expect(fresh.requestId).not.toBe(firstLink.requestId);
    expect(fresh.idempotencyKey).toBe(third.json.messageId);
    expect(linkIn(mailsTo(emails.resend).at(-1)!)).toBe(fresh.uploadUrl);

    const sms = await act(taskId, 'resend', token, { channel: 'sms' });
    expect(sms.status).toBe(409);
    expect(sms.json).toMatchObject({
      error: {
        code: 'resident_channel_unavailable',
        message: { en: expect.any(String), zh: expect.any(String) },
        details: { channel: 'sms', available: ['email'] },
      },
    });
    const badChannel = await act(taskId, 'resend', token, { channel: 'pigeon' });
    expect(badChannel.status).toBe(400);
    expect(badChannel.json).toMatchObject({ error: { code: 'validation_failed' } });

    // Five messages this hour is the limit: two more resends are queued, the next one is refused.
    expect((await act(taskId, 'resend', token, {}, 'resend-click-3')).status).toBe(200);
    expect((await act(taskId, 'resend', token, {}, 'resend-click-3b')).status).toBe(200);
    const limited = await act(taskId, 'resend', token, {}, 'resend-click-4');
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({
      error: { code: 'resident_rate_limited', message: { en: expect.any(String), zh: expect.any(String) } },
    });
    expect(
      (limited.json.error as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds,
    ).toBeGreaterThan(3000);
    // The refused click left nothing behind: no action, no message.
    const history = await h.call(`/v1/outreach/tasks/${taskId}/actions`, { token });
    const actions = (history.json.items as { action: string }[]).map((a) => a.action);
    expect(actions.filter((a) => a === 'resent')).toHaveLength(4);
    const { rows } = await h.pg.query(
      `SELECT count(*)::int AS n FROM messages WHERE task_id = $1 AND recipient_role = 'resident'`,
      [taskId],
    );
    expect(rows[0].n).toBe(5);
  }, 120_000);

  it('asks for a re-upload with the reason and the steward’s note, and defers to the vault review once documents are in', async () => {
    const { ref, caseId, taskId } = await openTask('RU', 'reupload');
    await finished(caseId, 2);
    const token = await steward();
    const noNote = await act(taskId, 'request-reupload', token, { reason: 'other' });
    expect(noNote.status).toBe(400);
    expect(noNote.json).toMatchObject({ error: { code: 'validation_failed' } });
    const badReason = await act(taskId, 'request-reupload', token, { reason: 'ugly' });
    expect(badReason.status).toBe(400);

    const asked = await act(
      taskId,
      'request-reupload',
      token,
      { reason: 'back_missing', note },
      'reupload-1',
    );
    expect(asked.status).toBe(200);
    expect(asked.json).toMatchObject({
      action: { action: 'reupload_requested', reason: 'back_missing', channel: 'email' },
      messageId: expect.stringMatching(/^msg_/),
    });
    const rows = await finished(caseId, 3);
    const request = rows.find((m) => m.id === asked.json.messageId)!;
    expect(request).toMatchObject({
      template_id: 'steward-reupload-request',
      status: 'sent',
      // Kept in its column after the accepted e-mail: a bounce would fail it for good, and an
      // operator's re-drive would want the note (the worker's sweep bounds how long).
      steward_note: note,
    });
    expect(JSON.stringify(request.variables)).not.toContain(note);
    const mail = mailsTo(emails.reupload).at(-1)!;
    expect(mail.subject).toBe(`【请重新上传】包裹 ${ref.trackingNumber} 清关证件`);
    expect(mail.text).toContain('缺少证件的正面或反面');
    expect(mail.text).toContain(`管家留言：${note}`);
    // A new vault request (its own key), which supersedes the previous link in the vault.
    const link = vault.issued.filter((l) => l.caseId === caseId).at(-1)!;
    expect(link.idempotencyKey).toBe(asked.json.messageId);
    expect(linkIn(mail)).toBe(link.uploadUrl);

    // The resident uploaded this round: a re-upload is now the vault review's verdict.
    await publishCase(ref, {
      case: 'documentsReceived',
      value: create(clearance.DocumentsReceivedSchema, {
        caseId,
        tenantId: h.tenantId,
        parcel: ref,
        state: clearance.CaseState.DOCUMENTS_RECEIVED,
        occurredAt: timestampFromDate(new Date()),
        documentIds: ['doc_1'],
        round: 1,
      }),
    });
    const inReview = await waitFor(
      async () => {
        const res = await act(taskId, 'request-reupload', token, { reason: 'blurry' });
        return res.status === 409 ? res : undefined;
      },
      { timeoutMs: 20_000, description: 'the documents-received mark' },
    );
    expect(inReview.json).toMatchObject({
      error: { code: 'documents_in_review', message: { en: expect.any(String), zh: expect.any(String) } },
    });
  }, 120_000);

  it('hides tasks of other tenants and properties from resends and re-upload requests', async () => {
    const [task] = await h.tasksOf(h.parcel('RU').parcelId);
    const taskId = task!.id as string;
    const otherTenant = await h.token(['steward'], {
      subject: ids.steward,
      propertyIds: [ids.property],
      tenantId: `ten_foreign_${r}`,
    });
    const otherProperty = await h.token(['steward'], { subject: ids.stranger, propertyIds: [ids.other] });
    for (const token of [otherTenant, otherProperty]) {
      for (const [action, body] of [
        ['resend', {}],
        ['request-reupload', { reason: 'blurry' }],
      ] as const) {
        const res = await act(taskId, action, token, body);
        expect(res.status).toBe(404);
        expect(res.json).toMatchObject({ error: { code: 'task_not_found' } });
      }
    }
  }, 60_000);

  it('turns reminders, a predicted hold and the case clearing into one message each, however often the event comes', async () => {
    const { ref, caseId } = await openTask('NT', 'notices', new Date(Date.now() + 30 * 3600_000));
    await finished(caseId, 2);
    const reminder = (leadHours: number) => ({
      case: 'residentReminderDue' as const,
      value: create(clearance.ResidentReminderDueSchema, {
        caseId,
        tenantId: h.tenantId,
        parcel: ref,
        state: clearance.CaseState.AWAITING_DOCUMENTS,
        occurredAt: timestampFromDate(new Date()),
        deadline: timestampFromDate(new Date(Date.now() + 30 * 3600_000)),
        leadTime: durationFromMs(leadHours * 3600_000),
      }),
    });
    // Redelivered (same event id) and re-published (a new event id, the same reminder).
    const record = await publishCase(ref, reminder(24));
    await publishCase(ref, reminder(24), record.eventId);
    await publishCase(ref, reminder(24));
    await publishCase(ref, reminder(6));

    // The prediction came for a parcel of the same resident still in transit.
    const predicted = h.parcel('NP');
    await h.publishHold(predicted, {
      name: people.notices.name,
      phone: people.notices.phone,
      ...address,
      unit: people.notices.unit,
    });
    const prediction = {
      case: 'holdPredicted' as const,
      value: create(clearance.HoldPredictedSchema, {
        predictionId: `pred_${r}`,
        tenantId: h.tenantId,
        parcel: predicted,
        occurredAt: timestampFromDate(new Date()),
        probability: 0.8,
        threshold: 0.5,
        modelVersion: 'beta-backoff/k=20/p0=0.1/v1',
        likelyDocuments: [common.DocumentType.RESIDENT_ID_CARD],
      }),
    };
    await publishCase(predicted, prediction);
    await publishCase(predicted, prediction);
    // The reminders serve the open task: once they went out, the case clears (which closes it).
    await finished(caseId, 4);

    const cleared = {
      case: 'caseCleared' as const,
      value: create(clearance.CaseClearedSchema, {
        caseId,
        tenantId: h.tenantId,
        parcel: ref,
        state: clearance.CaseState.CLEARED,
        occurredAt: timestampFromDate(new Date()),
        trigger: clearance.ClearanceTrigger.DELIVERED,
      }),
    };
    await publishCase(ref, cleared);
    await publishCase(ref, cleared);

    const rows = await finished(caseId, 5);
    const residentRows = rows.filter((m) => m.recipient_role === 'resident');
    expect(residentRows.map((m) => [m.template_id, m.status])).toEqual([
      ['resident-documents-requested', 'sent'],
      ['resident-deadline-reminder', 'sent'],
      ['resident-deadline-reminder', 'sent'],
      ['resident-case-cleared', 'sent'],
    ]);
    const heads = await finished(predicted.parcelId, 1);
    expect(heads.map((m) => [m.template_id, m.status])).toEqual([['resident-hold-predicted', 'sent']]);

    const subjects = mailsTo(emails.notices).map((m) => m.subject);
    expect(subjects.filter((s) => s.startsWith('【提醒】'))).toHaveLength(2);
    expect(subjects.filter((s) => s === `【已清关】包裹 ${ref.trackingNumber}`)).toHaveLength(1);
    expect(
      subjects.filter((s) => s === `【提前告知】包裹 ${predicted.trackingNumber} 可能需要清关证件`),
    ).toHaveLength(1);
    // A reminder carries a working link: the first request's, with a fresh secret.
    const reminderMail = mailsTo(emails.notices).find((m) => m.subject.startsWith('【提醒】'))!;
    const links = vault.issued.filter((l) => l.caseId === caseId);
    expect(new Set(links.map((l) => l.requestId)).size).toBe(1);
    expect(links.map((l) => l.uploadUrl)).toContain(linkIn(reminderMail));
    expect(mailsTo(emails.notices).find((m) => m.subject.startsWith('【已清关】'))!.text).toContain(
      '已通过海关清关并已签收',
    );

    const events = await h.outreachEvents(
      new Set([ref.parcelId, predicted.parcelId]),
      (found) => found.filter((e) => e.event.case === 'messageSent').length >= 6,
    );
    const sent = events
      .filter((e) => e.event.case === 'messageSent')
      .map((e) => e.event.value as notification.MessageSent)
      .filter((e) => e.recipientRole === notification.RecipientRole.RESIDENT);
    // The case moved on: the task is closed and refuses follow-ups.
    const [closedTask] = await h.tasksOf(ref.parcelId);
    expect(closedTask).toMatchObject({ state: 'closed' });
    const late = await act(closedTask!.id as string, 'resend', await steward(), {});
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ error: { code: 'task_closed' } });
    expect(sent.map((e) => e.templateRef).sort()).toEqual([
      'resident-case-cleared@1',
      'resident-deadline-reminder@1',
      'resident-deadline-reminder@1',
      'resident-documents-requested@1',
      'resident-hold-predicted@1',
    ]);
  }, 120_000);

  it('keeps names, phone numbers, e-mail addresses, links and the steward’s note out of logs and events', async () => {
    const keys = new Set(['RS', 'RU', 'NT', 'NP'].map((s) => h.parcel(s).parcelId));
    const records = await h.readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (rec) => keys.has(rec.key),
      (found) => found.length >= 20,
    );
    const logs = h.logs();
    expect(logs).toContain('resident message resent');
    expect(logs).toContain('resident asked to upload again');
    expect(logs).toContain('resident reminder queued');
    const emitted = [
      logs,
      ...records.map((rec) => `${rec.key}\n${rec.value.toString('utf8')}\n${JSON.stringify(rec.headers)}`),
    ].join('\n');
    const links = vault.issued.map((l) => l.uploadUrl);
    expect(links.length).toBeGreaterThan(5);
    const secrets = [
      note,
      ...Object.values(people).flatMap((p) => [p.name, p.phone]),
      ...Object.values(emails),
      ...links,
      ...links.map((l) => l.split('/u/')[1]!),
    ];
    for (const value of secrets) expect(emitted.includes(value)).toBe(false);
  }, 60_000);
});
