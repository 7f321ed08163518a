// Delivery receipts on NotificationHarness: the service as in production on the real broker and
// Postgres, SMS through SimulatedSmsGateway (which also plays the SmsReport HTTP batch push), e-mail
// through the real SMTP sink, links from SimulatedVaultUploadLinks. A resident's SMS is reported
// undelivered -> the message fails over to e-mail; the e-mail bounces (a DSN as a relay forwards
// it) -> the message fails for good; the steward's notice gets a success DSN -> delivered. Re-pushed
// receipts change nothing, unknown ids and bad tokens are answered clearly, a steward's re-upload
// request keeps its note through a late SMS failover to e-mail (the SMS never carries it), and nothing
// personal (nor the note) reaches logs or events.
import { randomBytes } from 'node:crypto';
import { notification, type OutreachEvent } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { SmtpSink } from '@portico/testing/smtp';
import type { EntityManager } from 'typeorm';
import { SimulatedSmsGateway } from '../channels/test-support/simulated-sms-gateway';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { MessagesRepository } from '../messages/messages.repository';
import { NOTE_KEPT_AFTER_SEND_MS } from '../messages/steward-note';

const KEEP = { afterSendMs: NOTE_KEPT_AFTER_SEND_MS, afterFailureMs: 72 * 3_600_000 };
import { SimulatedVaultUploadLinks } from '../messages/test-support/simulated-vault-upload-links';
import { dsn } from './test-support/dsn';

const VAULT_TOKEN = `vault-${randomBytes(16).toString('hex')}`;
const SMS_TOKEN = randomBytes(32).toString('base64url');
const DSN_TOKEN = randomBytes(32).toString('base64url');
const NOTE = `请在白天靠窗拍摄，背面也要 ${randomBytes(4).toString('hex')}`;

describe('notification: delivery receipts (real Kafka + Postgres + SMTP sink + SimulatedSmsGateway)', () => {
  const sink = new SmtpSink();
  const vault = new SimulatedVaultUploadLinks(VAULT_TOKEN);
  const smsSecret = randomBytes(24).toString('base64url');
  const sms = new SimulatedSmsGateway(
    `LTAI${randomBytes(4).toString('hex')}`,
    smsSecret,
    new Set(['SMS_3001', 'SMS_3002']),
  );
  const person = { ...uniqueResident(), unit: '5-01' };
  let h: NotificationHarness;
  let email: string;
  let stewardEmail: string;
  let ids: Awaited<ReturnType<NotificationHarness['importResidentAndSteward']>>;
  const smsUrl = (token = SMS_TOKEN) => `${h.service.url}/v1/receipts/sms/${token}`;

  const postDsn = (raw: string, token = DSN_TOKEN) =>
    h.call(`/v1/receipts/email/${token}`, { method: 'POST', raw, contentType: 'message/rfc822' });

  async function messages(caseId: string) {
    const { rows } = await h.pg.query(
      `SELECT id, recipient_role, status, channel_plan, channel_index, last_error_code FROM messages
        WHERE case_id = $1 ORDER BY created_at, id`,
      [caseId],
    );
    return rows as {
      id: string;
      recipient_role: string;
      status: string;
      channel_index: number;
      last_error_code: string | null;
    }[];
  }

  beforeAll(async () => {
    await Promise.all([sink.start(), vault.start(), sms.start()]);
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: '3600000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      SMS_GATEWAY_URL: sms.url,
      SMS_ACCESS_KEY_ID: sms.accessKeyId,
      SMS_ACCESS_KEY_SECRET: smsSecret,
      SMS_TEMPLATE_CODES: 'resident-documents-requested@1/zh=SMS_3001,steward-reupload-request@1/zh=SMS_3002',
      MESSAGE_RATE_LIMIT_PER_HOUR: '20',
      SMS_REPORT_TOKEN: SMS_TOKEN,
      EMAIL_DSN_TOKEN: DSN_TOKEN,
      VAULT_INTERNAL_URL: vault.url,
      VAULT_SERVICE_TOKEN: VAULT_TOKEN,
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
    });
    const r = h.run;
    email = `resident.${r}@residents.example.test`;
    stewardEmail = `steward.${r}@staff.example.test`;
    ids = await h.importResidentAndSteward({
      prefix: 'rc',
      label: 'Receipt',
      person,
      email,
      consent: { sms: true, email: true, wecom: false },
      channelPreferences: ['sms', 'email'],
      stewardEmail,
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all([sink.stop(), vault.stop(), sms.stop()]);
  }, 60_000);

  let caseId = '';
  let parcelId = '';
  let taskId = '';

  it('an undelivered SMS report fails the resident’s message over to e-mail; a bounce then fails it for good', async () => {
    const opened = await h.openDocumentsTask('RC1', person, ids.address, {
      beforeRequest: (id) => vault.knowCase(id),
    });
    parcelId = opened.ref.parcelId;
    caseId = opened.caseId;
    taskId = opened.taskId;
    const texted = await waitFor(() => sms.received.find((s) => s.templateCode === 'SMS_3001'), {
      timeoutMs: 30_000,
      description: 'the resident’s SMS',
    });
    const resident = await waitFor(
      async () =>
        (await messages(caseId)).find((m) => m.recipient_role === 'resident' && m.status === 'sent'),
      { timeoutMs: 30_000, description: 'the resident’s message sent' },
    );
    expect(texted.outId).toBe(resident.id);

    const pushed = await sms.pushReports(smsUrl(), [{ sms: texted, success: false, errCode: 'MK:0001' }]);
    expect(pushed).toMatchObject({
      accepted: true,
      status: 200,
      body: { code: 0, results: [{ messageId: resident.id, result: 'failover' }] },
    });

    // The platform pushes again when it thinks we did not answer: nothing changes.
    const again = await sms.pushReports(smsUrl(), [{ sms: texted, success: false, errCode: 'MK:0001' }]);
    expect(again.body).toMatchObject({ results: [{ messageId: resident.id, result: 'duplicate' }] });

    const mailed = await waitFor(() => sink.received.find((m) => m.to.includes(email)), {
      timeoutMs: 30_000,
      description: 'the resident’s e-mail after the failover',
    });
    await waitFor(
      async () =>
        (await messages(caseId)).find(
          (m) => m.id === resident.id && m.status === 'sent' && m.channel_index === 1,
        ),
      { timeoutMs: 30_000, description: 'the message sent again, on e-mail' },
    );

    const bounced = await postDsn(dsn('failed', '5.1.1', email, mailed.messageId));
    expect(bounced.status).toBe(200);
    expect(bounced.json).toEqual({ messageId: resident.id, result: 'failed' });
    const [row] = (await messages(caseId)).filter((m) => m.id === resident.id);
    expect(row).toMatchObject({ status: 'failed', last_error_code: 'DSN_5.1.1' });

    const { rows: receipts } = await h.pg.query(
      `SELECT channel, source, outcome, code, effect FROM message_receipts WHERE message_id = $1 ORDER BY id`,
      [resident.id],
    );
    expect(receipts).toEqual([
      { channel: 'sms', source: 'sms_report', outcome: 'failed', code: 'MK:0001', effect: 'failover' },
      { channel: 'email', source: 'email_dsn', outcome: 'failed', code: '5.1.1', effect: 'failed' },
    ]);

    const events = await h.outreachEvents(
      new Set([parcelId]),
      (found) => found.filter((f) => f.event.case === 'messageFailed').length >= 2,
    );
    const failures = events
      .filter(
        (e): e is typeof e & { event: Extract<OutreachEvent['event'], { case: 'messageFailed' }> } =>
          e.event.case === 'messageFailed',
      )
      .map((e) => e.event.value)
      .filter((v) => v.messageId === resident.id);
    expect(failures.map((f) => [f.errorCode, f.channel, f.willRetry, f.failoverChannel])).toEqual([
      ['SMS_DR_MK:0001', notification.Channel.SMS, false, notification.Channel.EMAIL],
      ['DSN_5.1.1', notification.Channel.EMAIL, false, notification.Channel.UNSPECIFIED],
    ]);
    expect(events.every((e) => e.key === parcelId)).toBe(true);
  }, 120_000);

  it('a success DSN marks the steward’s notice delivered, shown in the message history', async () => {
    const notice = await waitFor(() => sink.received.find((m) => m.to.includes(stewardEmail)), {
      timeoutMs: 30_000,
      description: 'the steward’s new-task notice',
    });
    const ok = await postDsn(dsn('delivered', '2.0.0', stewardEmail, notice.messageId));
    expect(ok.json).toMatchObject({ result: 'delivered' });
    const res = await h.call(`/v1/outreach/messages?caseId=${caseId}`, { token: await h.operator() });
    const items = res.json.items as {
      recipientRole: string;
      status: string;
      deliveredAt: string | null;
      sentAt: string | null;
    }[];
    const steward = items.find((i) => i.recipientRole === 'steward')!;
    expect(steward.status).toBe('delivered');
    const resident = (
      res.json.items as { recipientRole: string; attemptLog: { channel: string; receipt: unknown }[] }[]
    ).find((i) => i.recipientRole === 'resident')!;
    expect(resident.attemptLog.map((a) => [a.channel, a.receipt])).toEqual([
      ['sms', { outcome: 'failed', code: 'MK:0001', at: expect.any(String) }],
      ['email', { outcome: 'failed', code: '5.1.1', at: expect.any(String) }],
    ]);
    expect(Date.parse(steward.deliveredAt!)).toBeGreaterThanOrEqual(Date.parse(steward.sentAt!));
    const events = await h.outreachEvents(new Set([parcelId]), (found) =>
      found.some((f) => f.event.case === 'messageDelivered'),
    );
    expect(events.filter((e) => e.event.case === 'messageDelivered')).toHaveLength(1);
    // The same DSN again changes nothing.
    expect((await postDsn(dsn('delivered', '2.0.0', stewardEmail, notice.messageId))).json).toMatchObject({
      result: 'duplicate',
    });
  }, 60_000);

  it('answers unknown ids, bad tokens and bodies that are not DSNs clearly', async () => {
    const fake = {
      phoneNumbers: '13800000000',
      signName: 'x',
      templateCode: 'SMS_3001',
      params: {},
      outId: '',
      bizId: 'no-such-biz',
    };
    const unknown = await sms.pushReports(smsUrl(), [{ sms: fake, success: true }]);
    expect(unknown).toMatchObject({
      accepted: true,
      body: { code: 0, results: [{ messageId: null, result: 'unknown_message' }] },
    });

    const wrong = await sms.pushReports(smsUrl(randomBytes(32).toString('base64url')), [
      { sms: fake, success: true },
    ]);
    expect(wrong).toMatchObject({
      accepted: false,
      status: 401,
      body: { error: { code: 'receipt_token_invalid' } },
    });

    const foreign = await postDsn(dsn('failed', '5.1.1', 'x@example.test', '<x@elsewhere.example>'));
    expect(foreign.status).toBe(404);
    expect(foreign.json).toMatchObject({
      error: { code: 'unknown_message', details: { reason: 'no_portico_message_id' } },
    });
    const missing = await postDsn(
      dsn('failed', '5.1.1', 'x@example.test', `<msg_${'0'.repeat(32)}@portico.notification>`),
    );
    expect(missing.json).toMatchObject({
      error: { code: 'unknown_message', details: { reason: 'message_not_found' } },
    });

    const notDsn = await postDsn('Subject: hi\r\n\r\nhello');
    expect(notDsn.status).toBe(400);
    expect(notDsn.json).toMatchObject({ error: { code: 'not_a_dsn' } });
    const messagesOf = (notDsn.json.error as { message: unknown }).message;
    expect(JSON.stringify(messagesOf)).toMatch(/[\u4e00-\u9fff]/);

    const badBatch = await h.call(`/v1/receipts/sms/${SMS_TOKEN}`, { method: 'POST', body: { biz_id: 'x' } });
    expect(badBatch.status).toBe(400);
  }, 60_000);

  it('lets an operator list the failed message and send it again from its first channel, once', async () => {
    const operator = await h.operator();
    const listed = await h.call(`/v1/outreach/messages/failed?tenantId=${h.tenantId}`, { token: operator });
    expect(listed.status).toBe(200);
    const items = listed.json.items as {
      id: string;
      status: string;
      lastErrorCode: string;
      failedOverFrom: string[];
    }[];
    const failed = items.find((i) => i.lastErrorCode === 'DSN_5.1.1')!;
    expect(failed).toMatchObject({ status: 'failed', failedOverFrom: ['sms'] });

    const steward = await h.token(['steward'], { subject: ids.steward, propertyIds: [ids.property] });
    expect((await h.call('/v1/outreach/messages/failed', { token: steward })).status).toBe(403);
    expect(
      (await h.call(`/v1/outreach/messages/${failed.id}/redrive`, { method: 'POST', token: steward })).status,
    ).toBe(403);

    const before = sms.received.filter((s) => s.outId === failed.id).length;
    const redriven = await h.call(`/v1/outreach/messages/${failed.id}/redrive`, {
      method: 'POST',
      token: operator,
    });
    expect(redriven).toMatchObject({ status: 202, json: { messageId: failed.id, status: 'queued' } });
    await waitFor(() => sms.received.filter((s) => s.outId === failed.id).length === before + 1, {
      timeoutMs: 30_000,
      description: 'the re-driven SMS',
    });
    const again = await h.call(`/v1/outreach/messages/${failed.id}/redrive`, {
      method: 'POST',
      token: operator,
    });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'message_not_failed' } });
    const unknown = await h.call(`/v1/outreach/messages/msg_${'f'.repeat(32)}/redrive`, {
      method: 'POST',
      token: operator,
    });
    expect(unknown.json).toMatchObject({ error: { code: 'message_not_found' } });
    expect(
      (await h.call('/v1/outreach/messages/not-an-id/redrive', { method: 'POST', token: operator })).status,
    ).toBe(400);
    expect(h.logs()).toContain('failed message re-driven');
  }, 60_000);

  it('a late SMS failure moves the steward’s re-upload request to e-mail with the note the SMS never carried', async () => {
    const steward = await h.token(['steward'], { subject: ids.steward, propertyIds: [ids.property] });
    const asked = await h.call(`/v1/outreach/tasks/${taskId}/request-reupload`, {
      method: 'POST',
      token: steward,
      body: { reason: 'blurry', note: NOTE },
    });
    expect(asked.status).toBe(200);
    const messageId = asked.json.messageId as string;
    const row = async () => {
      const { rows } = await h.pg.query(
        `SELECT status, channel_index, template_id, template_version, variables, steward_note
           FROM messages WHERE id = $1`,
        [messageId],
      );
      return rows[0] as {
        status: string;
        channel_index: number;
        template_id: string;
        template_version: number;
        variables: unknown;
        steward_note: string | null;
      };
    };
    const texted = await waitFor(() => sms.received.find((s) => s.outId === messageId), {
      timeoutMs: 30_000,
      description: 'the re-upload request by SMS',
    });
    expect(texted.templateCode).toBe('SMS_3002');
    expect(JSON.stringify(texted)).not.toContain(NOTE);
    // Accepted on SMS with e-mail still ahead: the note stays for a late failover (its column only).
    const sent = await waitFor(async () => (await row())?.status === 'sent' && row(), {
      timeoutMs: 30_000,
      description: 'the re-upload request sent on SMS',
    });
    expect(sent).toMatchObject({ channel_index: 0, steward_note: NOTE });
    expect(JSON.stringify(sent.variables)).not.toContain(NOTE);

    const pushed = await sms.pushReports(smsUrl(), [{ sms: texted, success: false, errCode: 'IS:0001' }]);
    expect(pushed.body).toMatchObject({ results: [{ messageId, result: 'failover' }] });
    const mailed = await waitFor(
      () => sink.received.find((m) => m.to.includes(email) && m.text.includes(NOTE)),
      {
        timeoutMs: 30_000,
        description: 'the re-upload request by e-mail, with the note',
      },
    );
    expect(mailed.text).toContain(`管家留言：${NOTE}`);
    // The same message, template and version. E-mail was the plan's last channel, yet the note stays:
    // a bounce would fail the message for good, and an operator's re-drive would want it.
    const after = await waitFor(
      async () => {
        const r = await row();
        return r.status === 'sent' && r.channel_index === 1 && r;
      },
      { timeoutMs: 30_000, description: 'the re-upload request sent on e-mail' },
    );
    expect(after).toMatchObject({
      template_id: 'steward-reupload-request',
      template_version: sent.template_version,
      variables: sent.variables,
      steward_note: NOTE,
    });

    // The sweep (the worker runs it every minute): a kept note stays while a failover could still
    // use it, and goes once none can (here: the send is older than a receipt can be late).
    const repo = new MessagesRepository();
    const manager = {
      query: async (sql: string, params?: unknown[]) => (await h.pg.query(sql, params)).rows,
    } as unknown as EntityManager;
    await repo.forgetSpentNotes(manager, new Date(), KEEP);
    expect((await row()).steward_note).toBe(NOTE);
    await h.pg.query(`UPDATE messages SET finished_at = now() - interval '6 days' WHERE id = $1`, [
      messageId,
    ]);
    expect(await repo.forgetSpentNotes(manager, new Date(), KEEP)).toBeGreaterThanOrEqual(1);
    expect((await row()).steward_note).toBeNull();
  }, 90_000);

  it('leaves no phone number, e-mail address or name in logs and events', async () => {
    const events = await h.outreachEvents(new Set([parcelId]), (found) => found.length > 0);
    const everything =
      h.logs() +
      events
        .map((e) => JSON.stringify(e.event, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
        .join('');
    for (const secret of [person.phone, email, stewardEmail, person.name, SMS_TOKEN, DSN_TOKEN, NOTE])
      expect(everything).not.toContain(secret);
    expect(h.logs()).toContain('delivery receipt');
  }, 60_000);
});
