// Closing notices beyond CaseCleared and consent withdrawn mid-case, on NotificationHarness (the
// service as in production on the real broker and Postgres, e-mail through the real SMTP sink,
// links from SimulatedVaultUploadLinks). Clearance's CaseExpired / CaseReturnedToSender / CaseCancelled are
// published the way clearance publishes them, redeliveries included; a roster change withdraws a
// resident's consent while their task is open.
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { clearance } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { SmtpSink } from '@portico/testing/smtp';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { SimulatedVaultUploadLinks } from '../messages/test-support/simulated-vault-upload-links';

const VAULT_TOKEN = `vault-${randomBytes(16).toString('hex')}`;

describe('notification: case-end notices and consent withdrawn mid-case (real Kafka + Postgres + SMTP)', () => {
  const sink = new SmtpSink();
  const vault = new SimulatedVaultUploadLinks(VAULT_TOKEN);
  const people = {
    expired: { ...uniqueResident(), unit: '6-01' },
    returned: { ...uniqueResident(), unit: '6-02' },
    cancelled: { ...uniqueResident(), unit: '6-04' },
    withdraws: { ...uniqueResident(), unit: '6-03' },
  };
  const emails = {} as Record<keyof typeof people, string>;
  let h: NotificationHarness;
  let ids: { property: string; steward: string };
  let stewardEmail: string;
  const address = () => ({ postalCode: '200120', addressLine: `${h.run} Closing Road` });
  const resident = (k: keyof typeof people) => ({
    id: `res_${k}_${h.run}`,
    name: people[k].name,
    phone: people[k].phone,
    email: emails[k],
    language: 'zh' as const,
    consent: { sms: false, email: true, wecom: false },
    channelPreferences: ['email'],
  });

  async function openTask(suffix: string, who: keyof typeof people) {
    const opened = await h.openDocumentsTask(suffix, people[who], address(), {
      beforeRequest: (caseId) => vault.knowCase(caseId),
    });
    await waitFor(() => sink.received.some((m) => m.to.includes(emails[who])), {
      timeoutMs: 30_000,
      description: 'the resident’s documents message',
    });
    return opened;
  }

  /** The roster change that withdraws the resident's e-mail consent (the same body each time). */
  const withdrawEmail = async (changeId: string) =>
    h.call('/v1/directory/changes', {
      method: 'POST',
      token: await h.operator(),
      body: {
        tenantId: h.tenantId,
        changes: [
          {
            changeId,
            occurredAt: new Date().toISOString(),
            type: 'resident.upsert',
            unitId: `unit_withdraws_${h.run}`,
            resident: {
              ...resident('withdraws'),
              consent: { sms: false, email: false, wecom: false },
              channelPreferences: [],
            },
          },
        ],
      },
    });

  beforeAll(async () => {
    await Promise.all([sink.start(), vault.start()]);
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: '3600000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      VAULT_INTERNAL_URL: vault.url,
      VAULT_SERVICE_TOKEN: VAULT_TOKEN,
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
    });
    ids = { property: `prop_ce_${h.run}`, steward: `stf_ce_${h.run}` };
    stewardEmail = `steward.${h.run}@staff.example.test`;
    for (const k of Object.keys(people) as (keyof typeof people)[])
      emails[k] = `${k}.${h.run}@residents.example.test`;
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Closing Residences ${h.run}` },
      properties: [
        {
          id: ids.property,
          name: `Closing Court ${h.run}`,
          address: { country: 'CN', region: 'Shanghai', city: 'Shanghai', district: 'Pudong', ...address() },
          residentOutreach: 'direct',
          units: (Object.keys(people) as (keyof typeof people)[]).map((k) => ({
            id: `unit_${k}_${h.run}`,
            label: people[k].unit,
            residents: [resident(k)],
          })),
        },
      ],
      staff: [
        {
          id: ids.steward,
          name: `Steward ${h.run}`,
          role: 'steward',
          language: 'en',
          channel: { kind: 'email', address: stewardEmail },
          propertyIds: [ids.property],
          onDuty: true,
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all([sink.stop(), vault.stop()]);
  }, 60_000);

  it('tells the resident once when the case expired, and once when the parcel is returned to sender', async () => {
    const exp = await openTask('CE1', 'expired');
    const now = timestampFromDate(new Date());
    const expired = {
      case: 'caseExpired' as const,
      value: create(clearance.CaseExpiredSchema, {
        caseId: exp.caseId,
        tenantId: h.tenantId,
        parcel: exp.ref,
        state: clearance.CaseState.EXPIRED,
        occurredAt: now,
        expiredInState: clearance.CaseState.AWAITING_DOCUMENTS,
      }),
    };
    const first = await h.publishCase(exp.ref, expired);
    await h.publishCase(exp.ref, expired, first.headers['event-id']); // redelivery
    await h.publishCase(exp.ref, expired); // re-published with a new event id

    const ret = await openTask('CE2', 'returned');
    await h.publishCase(ret.ref, {
      case: 'caseReturnedToSender',
      value: create(clearance.CaseReturnedToSenderSchema, {
        caseId: ret.caseId,
        tenantId: h.tenantId,
        parcel: ret.ref,
        state: clearance.CaseState.RETURNED_TO_SENDER,
        occurredAt: now,
      }),
    });

    const expiredMail = await waitFor(
      () => sink.received.find((m) => m.to.includes(emails.expired) && m.subject.includes('清关已过期')),
      { timeoutMs: 30_000, description: 'the expiry notice' },
    );
    expect(expiredMail.subject).toBe(`【清关已过期】包裹 ${exp.ref.trackingNumber}`);
    expect(expiredMail.text).toContain(people.expired.name);
    const returnedMail = await waitFor(
      () => sink.received.find((m) => m.to.includes(emails.returned) && m.subject.includes('退回寄件人')),
      { timeoutMs: 30_000, description: 'the returned-to-sender notice' },
    );
    expect(returnedMail.text).toContain('请联系寄件人或商家');

    const { rows } = await h.pg.query(
      `SELECT case_id, template_id, task_id, status FROM messages
        WHERE case_id = ANY($1::text[]) AND template_id IN ('resident-case-expired', 'resident-returned-to-sender')`,
      [[exp.caseId, ret.caseId]],
    );
    expect(rows.sort((a, b) => String(a.template_id).localeCompare(String(b.template_id)))).toEqual([
      { case_id: exp.caseId, template_id: 'resident-case-expired', task_id: null, status: 'sent' },
      { case_id: ret.caseId, template_id: 'resident-returned-to-sender', task_id: null, status: 'sent' },
    ]);
    const [task] = await h.tasks(`parcelId=${exp.ref.parcelId}`);
    expect(task).toMatchObject({ state: 'closed', closeResolution: 'case_ended' });
  }, 120_000);

  it('tells the resident once that a cancelled case needs nothing more, after quiet hours', async () => {
    const c = await openTask('CE4', 'cancelled');
    const cancelled = {
      case: 'caseCancelled' as const,
      value: create(clearance.CaseCancelledSchema, {
        caseId: c.caseId,
        tenantId: h.tenantId,
        parcel: c.ref,
        state: clearance.CaseState.CANCELLED,
        occurredAt: timestampFromDate(new Date()),
      }),
    };
    // Quiet hours in the property's time zone: the notice waits for their end, not the event.
    await h.quietHoursAroundNow(ids.property);
    const first = await h.publishCase(c.ref, cancelled);
    await h.publishCase(c.ref, cancelled, first.headers['event-id']); // redelivery
    await h.publishCase(c.ref, cancelled); // re-published with a new event id
    const held = await waitFor(
      async () => {
        const { rows } = await h.pg.query(
          `SELECT task_id, status, template_version, next_attempt_at > now() + interval '1 hour' AS held
             FROM messages WHERE case_id = $1 AND template_id = 'resident-case-cancelled'`,
          [c.caseId],
        );
        const [task] = await h.tasks(`parcelId=${c.ref.parcelId}`);
        return rows.length > 0 && task?.state === 'closed' && { rows, task };
      },
      { timeoutMs: 30_000, description: 'the cancellation notice queued and the task closed' },
    );
    expect(held.rows).toEqual([{ task_id: null, status: 'queued', template_version: 1, held: true }]);
    expect(held.task).toMatchObject({ state: 'closed', closeResolution: 'case_ended' });

    // The quiet hours end: the one notice goes out, and says nothing more is needed.
    await h.pg.query(`UPDATE properties SET quiet_hours_start = NULL, quiet_hours_end = NULL WHERE id = $1`, [
      ids.property,
    ]);
    await h.pg.query(
      `UPDATE messages SET next_attempt_at = now() WHERE case_id = $1 AND template_id = 'resident-case-cancelled'`,
      [c.caseId],
    );
    const mail = await waitFor(
      () =>
        sink.received.find((m) => m.to.includes(emails.cancelled) && m.subject.includes('证件请求已取消')),
      { timeoutMs: 30_000, description: 'the cancellation notice' },
    );
    expect(mail.subject).toBe(`【无需操作】包裹 ${c.ref.trackingNumber} 证件请求已取消`);
    expect(mail.text).toContain('无需再提供任何证件');
    expect(mail.text).toContain(people.cancelled.name);
    expect(mail.text).not.toContain('http');
    // the sink has the mail once SMTP accepted it; the sender records that in its own commit after
    const rows = await waitFor(
      async () => {
        const { rows: found } = await h.pg.query(
          `SELECT status FROM messages WHERE case_id = $1 AND template_id = 'resident-case-cancelled'`,
          [c.caseId],
        );
        return found.every((r: { status: string }) => r.status !== 'sending') && found;
      },
      { timeoutMs: 10_000, description: 'the sender recorded the notice' },
    );
    expect(rows).toEqual([{ status: 'sent' }]);
    expect(
      sink.received.filter((m) => m.to.includes(emails.cancelled) && m.subject.includes('已取消')),
    ).toHaveLength(1);
  }, 120_000);

  it('records a consent withdrawal on the resident’s open task and tells the steward', async () => {
    const t = await openTask('CE3', 'withdraws');
    const changed = await withdrawEmail(`pms-${h.run}-1`);
    expect(changed.status).toBe(200);
    const notice = await waitFor(
      () =>
        sink.received.find(
          (m) => m.to.includes(stewardEmail) && m.subject.startsWith('Resident withdrew consent'),
        ),
      { timeoutMs: 30_000, description: 'the steward’s consent notice' },
    );
    expect(notice.text).toContain('messages by e-mail');
    expect(notice.text).toContain(t.taskId);
    expect(notice.text).not.toContain(people.withdraws.name);

    const steward = await h.token(['steward'], { subject: ids.steward, propertyIds: [ids.property] });
    const timeline = await h.call(`/v1/outreach/tasks/${t.taskId}/actions`, { token: steward });
    expect(timeline.status).toBe(200);
    const items = (timeline.json.items ?? timeline.json.actions) as {
      action: string;
      actorId: string | null;
      reason: string | null;
    }[];
    expect(items.filter((a) => a.action === 'consent_withdrawn')).toEqual([
      expect.objectContaining({ action: 'consent_withdrawn', actorId: null, reason: 'email' }),
    ]);

    // The same roster change again (another change id, same consent) withdraws nothing more.
    expect((await withdrawEmail(`pms-${h.run}-2`)).status).toBe(200);
    const { rows } = await h.pg.query(
      `SELECT count(*)::int AS n FROM outreach_task_actions WHERE task_id = $1 AND action = 'consent_withdrawn'`,
      [t.taskId],
    );
    expect(rows[0].n).toBe(1);
  }, 120_000);

  it('leaves no names, phone numbers or e-mail addresses in the log', () => {
    const logs = h.logs();
    expect(logs).toContain('resident withdrew consent during an active task');
    expect(logs).toContain('case-ended notice queued');
    for (const p of Object.values(people)) {
      expect(logs).not.toContain(p.name);
      expect(logs).not.toContain(p.phone);
    }
    for (const e of [...Object.values(emails), stewardEmail]) expect(logs).not.toContain(e);
  });
});
