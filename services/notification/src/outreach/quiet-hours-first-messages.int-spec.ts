// Quiet hours for a task's first messages on NotificationHarness (the service as in production on
// the real broker and Postgres, e-mail through the real SMTP sink, links from
// SimulatedVaultUploadLinks): a documents request during the property's quiet hours queues the
// steward's new-task notice and the resident's documents message for the end of the quiet hours,
// and the steward's acknowledgement time then counts from that moment (the SLA timer firing
// meanwhile escalates nothing); a deadline that cannot wait for the morning sends both at once.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@portico/testing';
import { SmtpSink } from '@portico/testing/smtp';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { SimulatedVaultUploadLinks } from '../messages/test-support/simulated-vault-upload-links';

const VAULT_TOKEN = `vault-${randomBytes(16).toString('hex')}`;
const HOUR = 3_600_000;

describe('notification: quiet hours hold a task’s first messages (real Kafka + Postgres + SMTP)', () => {
  const sink = new SmtpSink();
  const vault = new SimulatedVaultUploadLinks(VAULT_TOKEN);
  const people = {
    night: { ...uniqueResident(), unit: '7-01' },
    urgent: { ...uniqueResident(), unit: '7-02' },
  };
  const emails = {} as Record<keyof typeof people, string>;
  let h: NotificationHarness;
  let property: string;
  let stewardEmail: string;
  let quietEnd: Date;
  const address = () => ({ postalCode: '200120', addressLine: `${h.run} Quiet Lane` });

  async function request(suffix: string, who: keyof typeof people, deadline: Date) {
    const { caseId, taskId } = await h.openDocumentsTask(suffix, people[who], address(), {
      deadline,
      beforeRequest: (id) => vault.knowCase(id),
    });
    const rows = await waitFor(
      async () => {
        const { rows } = await h.pg.query(
          `SELECT recipient_role, status, next_attempt_at FROM messages WHERE case_id = $1 ORDER BY recipient_role`,
          [caseId],
        );
        return rows.length === 2
          ? (rows as { recipient_role: string; status: string; next_attempt_at: Date }[])
          : undefined;
      },
      { timeoutMs: 30_000, description: 'the task’s two messages' },
    );
    return { taskId, rows };
  }

  beforeAll(async () => {
    await Promise.all([sink.start(), vault.start()]);
    h = await NotificationHarness.start({
      // The SLA runs out while the notice is held: the escalation must wait for the notice.
      OUTREACH_ACK_SLA_MS: '1500',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      VAULT_INTERNAL_URL: vault.url,
      VAULT_SERVICE_TOKEN: VAULT_TOKEN,
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
    });
    property = `prop_qh_${h.run}`;
    stewardEmail = `steward.${h.run}@staff.example.test`;
    for (const k of Object.keys(people) as (keyof typeof people)[])
      emails[k] = `${k}.${h.run}@residents.example.test`;
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Quiet Residences ${h.run}` },
      properties: [
        {
          id: property,
          name: `Quiet Court ${h.run}`,
          address: { country: 'CN', region: 'Shanghai', city: 'Shanghai', district: 'Pudong', ...address() },
          residentOutreach: 'direct',
          units: (Object.keys(people) as (keyof typeof people)[]).map((k) => ({
            id: `unit_${k}_${h.run}`,
            label: people[k].unit,
            residents: [
              {
                id: `res_${k}_${h.run}`,
                name: people[k].name,
                phone: people[k].phone,
                email: emails[k],
                language: 'zh',
                consent: { sms: false, email: true, wecom: false },
                channelPreferences: ['email'],
              },
            ],
          })),
        },
      ],
      staff: [
        {
          id: `stf_qh_${h.run}`,
          name: `Steward ${h.run}`,
          role: 'steward',
          language: 'zh',
          channel: { kind: 'email', address: stewardEmail },
          propertyIds: [property],
          onDuty: true,
        },
        {
          id: `stf_qh_mgr_${h.run}`,
          name: `Manager ${h.run}`,
          role: 'manager',
          language: 'zh',
          channel: { kind: 'email', address: `manager.${h.run}@staff.example.test` },
          propertyIds: [property],
          onDuty: true,
        },
      ],
    });
    // From an hour ago to two hours ahead, in the property's time zone (whole minutes).
    await h.quietHoursAroundNow(property);
    const { rows } = await h.pg.query(
      `SELECT quiet_hours_end::text AS end, time_zone FROM properties WHERE id = $1`,
      [property],
    );
    quietEnd = new Date(Date.now() + 2 * HOUR);
    expect(rows[0].end).toMatch(/^\d\d:\d\d/);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all([sink.stop(), vault.stop()]);
  }, 60_000);

  it('holds both messages until the quiet hours end, and the acknowledgement time with them', async () => {
    const { taskId, rows } = await request('QH1', 'night', new Date(Date.now() + 48 * HOUR));
    for (const r of rows) {
      expect(r.status).toBe('queued');
      // The end of the quiet hours: two hours ahead, to the minute the property's clock shows.
      expect(Math.abs(r.next_attempt_at.getTime() - quietEnd.getTime())).toBeLessThan(2 * 60_000);
    }
    // The 1.5 s SLA has run out several times over: no escalation, the timer waits for the notice.
    await new Promise((r) => setTimeout(r, 4_000));
    const [task] = await h.tasks(`parcelId=${h.parcel('QH1').parcelId}`);
    expect(task).toMatchObject({ id: taskId, escalationLevel: 'steward', state: 'open' });
    const { rows: timers } = await h.pg.query(`SELECT due_at FROM timers WHERE key = $1`, [
      `outreach-task:${taskId}:ack`,
    ]);
    expect(timers).toHaveLength(1);
    const due = (timers[0] as { due_at: Date }).due_at.getTime();
    expect(due - rows[0]!.next_attempt_at.getTime()).toBe(1_500);
    expect(sink.received.some((m) => m.to.includes(emails.night) || m.to.includes(stewardEmail))).toBe(false);
    expect(h.logs()).toContain('acknowledgement time counted from the held notice');
  }, 60_000);

  it('sends both at once when the deadline cannot wait for the morning', async () => {
    // The quiet hours end in two hours; one escalation step (1 h) after that is past this deadline.
    const { rows } = await request('QH2', 'urgent', new Date(Date.now() + 2.5 * HOUR));
    expect(rows.every((r) => r.next_attempt_at.getTime() < Date.now() + 60_000)).toBe(true);
    await waitFor(() => sink.received.some((m) => m.to.includes(emails.urgent)), {
      timeoutMs: 30_000,
      description: 'the resident’s message at night',
    });
  }, 60_000);
});
