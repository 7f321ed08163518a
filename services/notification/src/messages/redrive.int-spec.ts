// Operators' re-drive of failed messages on NotificationHarness: the service as in production on
// the real broker and Postgres, e-mail through the real SMTP sink (told to refuse the resident's
// mailbox with 550), bounces posted to the DSN receiver as a relay forwards them, upload links from
// SimulatedVaultUploadLinks. A steward's re-upload request that fails for good keeps its note for
// MESSAGE_REDRIVE_NOTE_KEEP_MS, so a re-drive within that window sends it with the note; after it
// (or once the task closed) the sweep drops the note and the re-drive says `noteDropped`. The bulk
// re-drive picks a tenant's failures by filter, counts each outcome, queues nothing twice, and
// answers bad filters with codes in zh and en. The notes never reach logs, events or error bodies.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@portico/testing';
import { SmtpSink } from '@portico/testing/smtp';
import type { EntityManager } from 'typeorm';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { dsn } from '../receipts/test-support/dsn';
import { MessagesRepository } from './messages.repository';
import { NOTE_KEPT_AFTER_SEND_MS } from './steward-note';
import { SimulatedVaultUploadLinks } from './test-support/simulated-vault-upload-links';

const VAULT_TOKEN = `vault-${randomBytes(16).toString('hex')}`;
const DSN_TOKEN = randomBytes(32).toString('base64url');
const KEEP_MS = 3_600_000;
const note = (what: string) => `${what}：请把证件放平拍摄 ${randomBytes(4).toString('hex')}`;
const NOTE = note('第一次');
const NOTE_BULK = note('批量');
const NOTE_CLOSED = note('关闭');

interface Row {
  status: string;
  channel_index: number;
  last_error_code: string | null;
  steward_note: string | null;
  had_steward_note: boolean;
}

describe('notification: re-driving failed messages (real Kafka + Postgres + SMTP sink)', () => {
  const sink = new SmtpSink();
  const vault = new SimulatedVaultUploadLinks(VAULT_TOKEN);
  const person = { ...uniqueResident(), unit: '7-02' };
  const errorBodies: string[] = [];
  const parcels = new Set<string>();
  let h: NotificationHarness;
  let email: string;
  let ids: Awaited<ReturnType<NotificationHarness['importResidentAndSteward']>>;
  let taskId = '';
  let stewardToken = '';
  let operatorToken = '';

  const repo = new MessagesRepository();
  const sweep = () =>
    repo.forgetSpentNotes(
      {
        query: async (sql: string, p?: unknown[]) => (await h.pg.query(sql, p)).rows,
      } as unknown as EntityManager,
      new Date(),
      { afterSendMs: NOTE_KEPT_AFTER_SEND_MS, afterFailureMs: h.config.messageRedriveNoteKeepMs },
    );
  const row = async (id: string): Promise<Row> =>
    (
      await h.pg.query(
        `SELECT status, channel_index, last_error_code, steward_note, had_steward_note FROM messages WHERE id = $1`,
        [id],
      )
    ).rows[0] as Row;
  const rowWhen = (id: string, ok: (r: Row) => boolean, description: string) =>
    waitFor(
      async () => {
        const r = await row(id);
        return ok(r) && r;
      },
      { timeoutMs: 30_000, description },
    );
  const mailsOf = (id: string) => sink.received.filter((m) => m.messageId.includes(id));
  /** An HTTP call whose error body is kept for the personal-data scan. */
  const call = async (...args: Parameters<NotificationHarness['call']>) => {
    const res = await h.call(...args);
    if (res.status >= 400) errorBodies.push(res.text);
    return res;
  };
  const requestReupload = async (note: string) => {
    const res = await call(`/v1/outreach/tasks/${taskId}/request-reupload`, {
      method: 'POST',
      token: stewardToken,
      body: { reason: 'other', note },
    });
    expect(res.status).toBe(200);
    return res.json.messageId as string;
  };
  const bulk = (body: unknown, token = operatorToken) =>
    call('/v1/outreach/messages/redrive', { method: 'POST', token, body });

  beforeAll(async () => {
    await Promise.all([sink.start(), vault.start()]);
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: '3600000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      EMAIL_DSN_TOKEN: DSN_TOKEN,
      VAULT_INTERNAL_URL: vault.url,
      VAULT_SERVICE_TOKEN: VAULT_TOKEN,
      MESSAGE_RATE_LIMIT_PER_HOUR: '50',
      MESSAGE_RATE_LIMIT_PER_DAY: '100',
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
      MESSAGE_REDRIVE_NOTE_KEEP_MS: String(KEEP_MS),
    });
    const r = h.run;
    email = `resident.${r}@residents.example.test`;
    ids = await h.importResidentAndSteward({
      prefix: 'rd',
      label: 'Redrive',
      person,
      email,
      consent: { sms: false, email: true, wecom: false },
      channelPreferences: ['email'],
      stewardEmail: `steward.${r}@staff.example.test`,
    });
    stewardToken = await h.token(['steward'], { subject: ids.steward, propertyIds: [ids.property] });
    operatorToken = await h.operator();
    const opened = await h.openDocumentsTask('RD1', person, ids.address, {
      beforeRequest: (id) => vault.knowCase(id),
    });
    taskId = opened.taskId;
    parcels.add(opened.ref.parcelId);
    await waitFor(() => sink.received.some((m) => m.to.includes(email)), {
      timeoutMs: 30_000,
      description: 'the resident’s first e-mail',
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all([sink.stop(), vault.stop()]);
  }, 60_000);

  let messageId = '';

  it('keeps the note of a re-upload request that failed for good, and a re-drive within the window sends it', async () => {
    sink.unknownMailboxes.add(email);
    messageId = await requestReupload(NOTE);
    const failed = await rowWhen(messageId, (r) => r.status === 'failed', 'the re-upload request failed');
    expect(failed).toMatchObject({ last_error_code: 'SMTP_550', steward_note: NOTE, had_steward_note: true });
    // The worker's sweep leaves a failed message's note alone inside its window.
    await sweep();
    expect((await row(messageId)).steward_note).toBe(NOTE);

    sink.unknownMailboxes.delete(email);
    const redriven = await call(`/v1/outreach/messages/${messageId}/redrive`, {
      method: 'POST',
      token: operatorToken,
    });
    expect(redriven).toMatchObject({
      status: 202,
      json: { messageId, status: 'queued', noteDropped: false },
    });
    const mailed = await waitFor(() => mailsOf(messageId)[0], {
      timeoutMs: 30_000,
      description: 'the re-driven re-upload request',
    });
    expect(mailed.text).toContain(`管家留言：${NOTE}`);
    // Accepted on its last channel, not confirmed: a bounce could still fail it for another re-drive.
    expect(await rowWhen(messageId, (r) => r.status === 'sent', 'sent')).toMatchObject({
      steward_note: NOTE,
    });
  }, 90_000);

  it('after a bounce and the end of the window, the re-drive still sends, without the note, and says so', async () => {
    const [mailed] = mailsOf(messageId);
    const bounced = await call(`/v1/receipts/email/${DSN_TOKEN}`, {
      method: 'POST',
      raw: dsn('failed', '5.1.1', email, mailed!.messageId),
      contentType: 'message/rfc822',
    });
    expect(bounced.json).toEqual({ messageId, result: 'failed' });
    expect(await row(messageId)).toMatchObject({
      status: 'failed',
      last_error_code: 'DSN_5.1.1',
      steward_note: NOTE,
    });

    // One minute past MESSAGE_REDRIVE_NOTE_KEEP_MS since the failure: the sweep drops the note.
    await h.pg.query(
      `UPDATE messages SET finished_at = now() - ($2 + 60000) * interval '1 millisecond' WHERE id = $1`,
      [messageId, KEEP_MS],
    );
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    expect(await row(messageId)).toMatchObject({
      status: 'failed',
      steward_note: null,
      had_steward_note: true,
    });

    const redriven = await call(`/v1/outreach/messages/${messageId}/redrive`, {
      method: 'POST',
      token: operatorToken,
    });
    expect(redriven).toMatchObject({ status: 202, json: { messageId, status: 'queued', noteDropped: true } });
    const again = await waitFor(() => mailsOf(messageId)[1], {
      timeoutMs: 30_000,
      description: 'the second re-drive’s e-mail',
    });
    expect(again.text).not.toContain(NOTE);
    expect(again.text).not.toContain('管家留言');
    await rowWhen(messageId, (r) => r.status === 'sent', 'sent again');
  }, 90_000);

  it('re-drives a filtered batch once, counting each outcome, and refuses bad filters with codes in zh and en', async () => {
    const since = new Date().toISOString();
    sink.unknownMailboxes.add(email);
    // One after the other, so that their failures are in a known order (oldest first).
    const first = await requestReupload(NOTE_BULK);
    await rowWhen(first, (r) => r.status === 'failed', 'the first failed');
    const second = await requestReupload(NOTE_BULK);
    // A second case whose resident e-mail fails too; its deadline then passes.
    const late = await h.openDocumentsTask('RD2', person, ids.address, {
      beforeRequest: (id) => vault.knowCase(id),
    });
    parcels.add(late.ref.parcelId);
    const lateMessage = await waitFor(
      async () => {
        const { rows } = await h.pg.query(
          `SELECT id FROM messages WHERE task_id = $1 AND recipient_role = 'resident' AND status = 'failed'`,
          [late.taskId],
        );
        return (rows[0] as { id: string } | undefined)?.id;
      },
      { timeoutMs: 30_000, description: 'the second case’s resident message failed' },
    );
    for (const id of [first, second]) await rowWhen(id, (r) => r.status === 'failed', 'failed');
    await h.pg.query(`UPDATE outreach_tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [
      late.taskId,
    ]);
    sink.unknownMailboxes.delete(email);

    // Bad filters: each its code, both languages, and only operators.
    expect((await bulk({ tenantId: h.tenantId }, stewardToken)).status).toBe(403);
    const refused = [
      [{ since }, 'redrive_tenant_required'],
      [{ tenantId: h.tenantId, since, until: since }, 'redrive_window_invalid'],
      [{ tenantId: h.tenantId, limit: 501 }, 'redrive_limit_exceeded'],
      [{ tenantId: h.tenantId, channel: 'fax' }, 'validation_failed'],
      [{ tenantId: h.tenantId, status: 'failed' }, 'validation_failed'],
    ] as const;
    for (const [body, code] of refused) {
      const res = await bulk(body);
      expect(res.status).toBe(400);
      const error = res.json.error as { code: string; message: { zh: string; en: string } };
      expect(error.code).toBe(code);
      expect(error.message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(error.message.en).toMatch(/[a-z]/);
    }

    const filter = { tenantId: h.tenantId, since, channel: 'email', errorCode: 'SMTP_550' };
    const one = await bulk({ ...filter, limit: 1 });
    expect(one.status).toBe(202);
    // The limit goes to a message the re-drive may queue, not to the one past its deadline.
    expect(one.json).toEqual({
      counts: { queued: 1, not_failed: 0, task_closed: 0, deadline_passed: 0 },
      queuedIds: [first],
      noteDroppedIds: [],
    });
    const rest = await bulk(filter);
    expect(rest.json).toEqual({
      counts: { queued: 1, not_failed: 0, task_closed: 0, deadline_passed: 1 },
      queuedIds: [second],
      noteDroppedIds: [],
    });
    // The same call again: what is back in the queue (or sent by now) is not queued twice.
    const repeated = await bulk(filter);
    expect(repeated.json).toEqual({
      counts: { queued: 0, not_failed: 0, task_closed: 0, deadline_passed: 1 },
      queuedIds: [],
      noteDroppedIds: [],
    });
    expect((await bulk({ ...filter, channel: 'sms' })).json).toMatchObject({
      counts: { queued: 0, deadline_passed: 0 },
    });
    expect((await bulk({ tenantId: `ten_other_${h.run}` })).json).toMatchObject({ queuedIds: [] });

    for (const id of [first, second]) {
      const mail = await waitFor(() => mailsOf(id)[0], {
        timeoutMs: 30_000,
        description: 'a re-driven e-mail',
      });
      expect(mail.text).toContain(`管家留言：${NOTE_BULK}`);
      await rowWhen(id, (r) => r.status === 'sent', 'sent');
      expect(mailsOf(id)).toHaveLength(1);
    }
    expect((await row(lateMessage)).status).toBe('failed');

    // One log line per call, with counts: the same line as the single re-drive.
    const lines = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('failed message re-driven') && l.includes('"bulk":true'));
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[1]!)).toMatchObject({
      tenantId: h.tenantId,
      counts: { queued: 1, deadline_passed: 1 },
      filter: { channel: 'email', errorCode: 'SMTP_550', limit: 100 },
    });
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    const redrives = (outcome: string) =>
      Number(
        new RegExp(`portico_messages_redriven_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`).exec(
          metrics,
        )?.[1],
      );
    // Two single re-drives and two of the batch; the past deadline counted by two calls.
    expect(redrives('queued')).toBe(4);
    expect(redrives('deadline_passed')).toBe(2);
  }, 120_000);

  it('two operators re-driving the same failures at once queue each message once', async () => {
    const since = new Date().toISOString();
    sink.unknownMailboxes.add(email);
    const failed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await requestReupload(NOTE_BULK);
      await rowWhen(id, (r) => r.status === 'failed', 'failed');
      failed.push(id);
    }
    sink.unknownMailboxes.delete(email);
    const [a, b] = await Promise.all([
      bulk({ tenantId: h.tenantId, since }),
      bulk({ tenantId: h.tenantId, since }),
    ]);
    const queued = [...(a!.json.queuedIds as string[]), ...(b!.json.queuedIds as string[])];
    expect(queued.sort()).toEqual([...failed].sort());
    // The later call either found them no longer failed, or saw them queued once it got the locks.
    const counts = [a!, b!].map((r) => r.json.counts as Record<string, number>);
    expect(counts.reduce((n, c) => n + c['queued']!, 0)).toBe(3);
    expect(counts.every((c) => c['task_closed'] === 0 && c['deadline_passed'] === 0)).toBe(true);
    for (const id of failed) {
      await rowWhen(id, (r) => r.status === 'sent', 'sent');
      expect(mailsOf(id)).toHaveLength(1);
    }
  }, 90_000);

  it('drops a failed message’s note once its task closes, and the batch counts the closed task', async () => {
    sink.unknownMailboxes.add(email);
    const id = await requestReupload(NOTE_CLOSED);
    await rowWhen(id, (r) => r.status === 'failed' && r.steward_note === NOTE_CLOSED, 'failed, note kept');
    await h.pg.query(`UPDATE outreach_tasks SET state = 'closed', closed_at = now() WHERE id = $1`, [taskId]);
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    expect(await row(id)).toMatchObject({ status: 'failed', steward_note: null });
    const res = await bulk({ tenantId: h.tenantId, errorCode: 'SMTP_550' });
    expect(res.json).toEqual({
      counts: { queued: 0, not_failed: 0, task_closed: 1, deadline_passed: 1 },
      queuedIds: [],
      noteDroppedIds: [],
    });
    const single = await call(`/v1/outreach/messages/${id}/redrive`, {
      method: 'POST',
      token: operatorToken,
    });
    expect(single.json).toMatchObject({ error: { code: 'message_task_closed' } });
  }, 60_000);

  it('leaves no note, name, phone or address in logs, events or error bodies', async () => {
    const events = await h.outreachEvents(parcels, (found) => found.length > 0);
    const everything = [
      h.logs(),
      ...events.map((e) =>
        JSON.stringify(e.event, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      ),
      ...errorBodies,
    ].join('\n');
    expect(errorBodies.length).toBeGreaterThanOrEqual(7);
    for (const secret of [NOTE, NOTE_BULK, NOTE_CLOSED, person.name, person.phone, email, DSN_TOKEN])
      expect(everything).not.toContain(secret);
  }, 60_000);
});
