// Escalation notices on NotificationHarness: the ladder steward -> manager -> operations reaches
// the manager's and then operations' mailboxes through the real SMTP sink (also across a restart),
// a manager whose every channel fails is skipped for operations (the unreachable hook), quiet hours
// hold an escalation and its notice unless the deadline cannot wait, and a resident's closing
// notice waits for the morning. Real broker and Postgres; events read back from Kafka.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  notification,
  NOTIFICATION_OUTREACH_TOPIC,
} from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { SmtpSink, type ReceivedMail } from '@portico/testing/smtp';
import { NotificationHarness, uniqueResident, type OutreachRecord } from '../it-harness';

const ACK_SLA_MS = 3_000;
const STEP_MS = 6_000;

describe('notification: escalation notices to the manager and operations (real Kafka + Postgres + SMTP)', () => {
  const sink = new SmtpSink();
  let h: NotificationHarness;
  let r: string;
  const resident = uniqueResident();
  const mail = (who: string) => `${who}.${r}@staff.example.test`;
  let opsMail: string;
  let ids: Record<
    'ladder' | 'silent' | 'quiet' | 'nochan',
    { property: string; steward: string; manager: string; unit: string }
  >;
  const addressOf = (k: keyof typeof ids) => ({
    postalCode: '200120',
    addressLine: `${r} ${k} Road`,
    unit: '1-01',
  });

  async function openTask(
    k: keyof typeof ids,
    suffix: string,
    deadline = new Date(Date.now() + 72 * 3600_000),
  ) {
    const ref = h.parcel(suffix);
    const caseId = `case_${h.run}_${suffix}`;
    await h.publishHold(ref, { ...resident, ...addressOf(k) });
    await h.publishDocumentsRequested(ref, caseId, { deadline });
    const [task] = await h.tasksOf(ref.parcelId);
    return { ref, caseId, taskId: task!.id as string };
  }

  const mailsTo = (address: string, waybill: string): ReceivedMail[] =>
    sink.received.filter((m) => m.to.includes(address) && m.subject.includes(waybill));
  const cases = (records: OutreachRecord[], kind: string) => records.filter((x) => x.event.case === kind);

  beforeAll(async () => {
    await sink.start();
    r = Math.random().toString(36).slice(2, 8);
    opsMail = `ops.${r}@ops.example.test`;
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: String(ACK_SLA_MS),
      OUTREACH_EXPEDITED_ACK_SLA_MS: String(ACK_SLA_MS),
      OUTREACH_ESCALATION_STEP_MS: String(STEP_MS),
      OUTREACH_EXPEDITED_ESCALATION_STEP_MS: String(STEP_MS),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      OPERATIONS_CONTACT: `email:${opsMail}`,
      OPERATIONS_LANGUAGE: 'en',
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
      MESSAGE_RETRY_DELAYS_MS: '200',
    });
    ids = {
      ladder: { property: `prop_l_${r}`, steward: `stf_l_${r}`, manager: `mgr_l_${r}`, unit: `unit_l_${r}` },
      silent: { property: `prop_s_${r}`, steward: `stf_s_${r}`, manager: `mgr_s_${r}`, unit: `unit_s_${r}` },
      quiet: { property: `prop_q_${r}`, steward: `stf_q_${r}`, manager: `mgr_q_${r}`, unit: `unit_q_${r}` },
      nochan: { property: `prop_n_${r}`, steward: `stf_n_${r}`, manager: `mgr_n_${r}`, unit: `unit_n_${r}` },
    };
    // The silent property's manager has a mailbox that does not exist: every notice to them fails.
    sink.unknownMailboxes.add(mail(ids.silent.manager));
    const keys = Object.keys(ids) as (keyof typeof ids)[];
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Ladder Residences ${r}` },
      properties: keys.map((k) => ({
        id: ids[k].property,
        name: `Tower ${k} ${r}`,
        address: {
          country: 'CN',
          region: 'Shanghai',
          city: 'Shanghai',
          district: 'Pudong',
          postalCode: addressOf(k).postalCode,
          addressLine: addressOf(k).addressLine,
        },
        residentOutreach: 'direct',
        units: [
          {
            id: ids[k].unit,
            label: addressOf(k).unit,
            residents: [
              {
                id: `res_${k}_${r}`,
                name: resident.name,
                phone: resident.phone,
                email: `resident.${k}.${r}@residents.example.test`,
                language: 'zh',
                consent: { sms: false, email: true, wecom: false },
              },
            ],
          },
        ],
      })),
      staff: keys.flatMap((k) => [
        {
          id: ids[k].steward,
          name: `Steward ${k}`,
          role: 'steward',
          language: 'zh',
          channel: { kind: 'email', address: mail(ids[k].steward) },
          propertyIds: [ids[k].property],
          onDuty: true,
        },
        {
          id: ids[k].manager,
          name: `Manager ${k}`,
          role: 'manager',
          language: 'zh',
          // The no-channel property's manager is on DingTalk, which this deployment has switched off.
          channel:
            k === 'nochan'
              ? { kind: 'dingtalk', address: `token${r}` }
              : { kind: 'email', address: mail(ids[k].manager) },
          propertyIds: [ids[k].property],
          onDuty: false,
        },
      ]),
    });
    await h.quietHoursAroundNow(ids.quiet.property);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await sink.stop();
  }, 60_000);

  it('tells the manager, then operations, when nobody acknowledges — across a restart', async () => {
    const { ref, taskId } = await openTask('ladder', 'L');
    const toManager = await waitFor(() => mailsTo(mail(ids.ladder.manager), ref.trackingNumber)[0], {
      timeoutMs: 20_000,
      description: "the manager's notice",
    });
    expect(toManager.subject).toContain('任务升级');
    expect(toManager.text).toContain('在规定时间内无人确认');
    expect(toManager.text).toContain(taskId);
    expect(toManager.text).not.toContain(resident.name);
    expect(mailsTo(opsMail, ref.trackingNumber)).toHaveLength(0);

    // The operations rung is a durable timer, its notice a queued message: both survive a restart.
    await h.restart();
    const toOps = await waitFor(() => mailsTo(opsMail, ref.trackingNumber)[0], {
      timeoutMs: 30_000,
      description: "operations' notice",
    });
    expect(toOps.subject).toContain('Escalated: ');
    expect(toOps.text).toContain('nobody acknowledged it in time');

    // The mail is in the sink a moment before the worker records the attempt as sent.
    const messageRows = async () =>
      (
        await h.pg.query(
          `SELECT recipient_role, recipient_id, template_id, status FROM messages WHERE task_id = $1 ORDER BY created_at`,
          [taskId],
        )
      ).rows.map((m: Record<string, string>) => [m.recipient_role, m.recipient_id, m.template_id, m.status]);
    await waitFor(async () => (await messageRows()).every((row) => row[3] !== 'sending'), {
      timeoutMs: 10_000,
      description: 'every notice recorded',
    });
    expect(await messageRows()).toEqual([
      ['steward', ids.ladder.steward, 'steward-new-task', 'sent'],
      ['manager', ids.ladder.manager, 'staff-task-escalated', 'sent'],
      ['operations', 'operations', 'staff-task-escalated', 'sent'],
    ]);
    const events = await h.outreachEvents(
      new Set([ref.parcelId]),
      (f) => cases(f, 'messageSent').length >= 3,
    );
    const sent = cases(events, 'messageSent').map((e) => e.event.value as notification.MessageSent);
    expect(sent.map((e) => [e.recipientRole, e.templateRef, e.channel])).toEqual([
      [notification.RecipientRole.STEWARD, 'steward-new-task@1', notification.Channel.EMAIL],
      [notification.RecipientRole.MANAGER, 'staff-task-escalated@1', notification.Channel.EMAIL],
      [notification.RecipientRole.OPERATIONS, 'staff-task-escalated@1', notification.Channel.EMAIL],
    ]);
    expect(sent[2]!.language).toBe('en');
  }, 120_000);

  it('skips a manager no channel reaches and calls operations at once (unreachable)', async () => {
    const { ref, taskId } = await openTask('silent', 'S');
    await waitFor(() => mailsTo(opsMail, ref.trackingNumber)[0], {
      timeoutMs: 20_000,
      description: "operations' notice after the manager's failed",
    });
    const events = await h.outreachEvents(new Set([ref.parcelId]), (f) => cases(f, 'escalated').length >= 2);
    const escalations = cases(events, 'escalated').map((e) => e.event.value as notification.Escalated);
    expect(escalations.map((e) => [e.previousLevel, e.level, e.reason])).toEqual([
      [
        notification.EscalationLevel.STEWARD,
        notification.EscalationLevel.MANAGER,
        notification.EscalationReason.ACK_SLA_BREACHED,
      ],
      [
        notification.EscalationLevel.MANAGER,
        notification.EscalationLevel.OPERATIONS,
        notification.EscalationReason.UNREACHABLE,
      ],
    ]);
    // Operations were called well before the manager's own step (6 s) ran out.
    const gap = Number(escalations[1]!.occurredAt!.seconds - escalations[0]!.occurredAt!.seconds);
    expect(gap).toBeLessThan(STEP_MS / 1000);
    const failed = cases(events, 'messageFailed').map((e) => e.event.value as notification.MessageFailed);
    expect(failed).toEqual([
      expect.objectContaining({
        recipientRole: notification.RecipientRole.MANAGER,
        errorCode: 'SMTP_550',
        willRetry: false,
        failoverChannel: notification.Channel.UNSPECIFIED,
      }),
    ]);
    const history = await h.call(`/v1/outreach/tasks/${taskId}/actions`, { token: await h.operator() });
    expect(
      (history.json.items as { action: string; reason: string }[]).map((i) => [i.action, i.reason]),
    ).toEqual([
      ['escalated', 'ack_sla_breached'],
      ['escalated', 'unreachable'],
    ]);
  }, 90_000);

  it('skips a manager whose only channel is switched off here, in the same step', async () => {
    const { ref } = await openTask('nochan', 'N');
    await waitFor(() => mailsTo(opsMail, ref.trackingNumber)[0], {
      timeoutMs: 20_000,
      description: "operations' notice for a manager without a channel",
    });
    const events = await h.outreachEvents(new Set([ref.parcelId]), (f) => cases(f, 'escalated').length >= 2);
    const escalations = cases(events, 'escalated').map((e) => e.event.value as notification.Escalated);
    expect(escalations.map((e) => [e.level, e.reason, e.assigneeId])).toEqual([
      [
        notification.EscalationLevel.MANAGER,
        notification.EscalationReason.ACK_SLA_BREACHED,
        ids.nochan.manager,
      ],
      [notification.EscalationLevel.OPERATIONS, notification.EscalationReason.UNREACHABLE, ''],
    ]);
    const { rows } = await h.pg.query(
      `SELECT count(*)::int AS n FROM messages WHERE parcel_id = $1 AND recipient_role = 'manager'`,
      [ref.parcelId],
    );
    expect(rows[0].n).toBe(0);
  }, 60_000);

  it('holds the escalation and its notice in quiet hours, and overrides them when the deadline cannot wait', async () => {
    const held = await openTask('quiet', 'QH');
    // Deadline in 90 s: long before the quiet hours end, so it cannot wait for them.
    const urgent = await openTask('quiet', 'QU', new Date(Date.now() + 90_000));
    await waitFor(() => mailsTo(mail(ids.quiet.manager), urgent.ref.trackingNumber)[0], {
      timeoutMs: 20_000,
      description: "the manager's notice despite quiet hours",
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(mailsTo(mail(ids.quiet.manager), held.ref.trackingNumber)).toHaveLength(0);
    expect((await h.tasksOf(held.ref.parcelId))[0]).toMatchObject({
      state: 'open',
      escalationLevel: 'steward',
    });
    const { rows } = await h.pg.query(`SELECT due_at FROM timers WHERE key = $1`, [
      `outreach-task:${held.taskId}:ack`,
    ]);
    const dueIn = new Date(rows[0].due_at).getTime() - Date.now();
    expect(dueIn).toBeGreaterThan(100 * 60_000);
    expect(dueIn).toBeLessThanOrEqual(120 * 60_000);

    const events = await h.outreachEvents(
      new Set([held.ref.parcelId, urgent.ref.parcelId]),
      (f) => cases(f, 'escalated').length >= 1,
    );
    const escalations = cases(events, 'escalated');
    expect(escalations.map((e) => e.key)).toEqual([urgent.ref.parcelId]);
    expect(escalations[0]!.event.value as notification.Escalated).toMatchObject({
      level: notification.EscalationLevel.MANAGER,
      quietHoursOverridden: true,
    });
    const manager = await h.pg.query(
      `SELECT variables->>'quietHoursOverridden' AS overridden, next_attempt_at, created_at FROM messages
        WHERE task_id = $1 AND recipient_role = 'manager'`,
      [urgent.taskId],
    );
    expect(manager.rows[0].overridden).toBe('true');
    // Not held: due when it was queued.
    expect(
      new Date(manager.rows[0].next_attempt_at).getTime() - new Date(manager.rows[0].created_at).getTime(),
    ).toBeLessThan(5_000);
  }, 90_000);

  it("holds the resident's closing notice until the quiet hours end", async () => {
    const [task] = await h.tasksOf(h.parcel('QH').parcelId);
    await h.publish(
      CLEARANCE_CASE_TOPIC.name,
      ClearanceCaseEventSchema,
      create(ClearanceCaseEventSchema, {
        event: {
          case: 'caseCleared',
          value: create(clearance.CaseClearedSchema, {
            caseId: task!.caseId as string,
            tenantId: h.tenantId,
            parcel: h.parcel('QH'),
            state: clearance.CaseState.CLEARED,
            occurredAt: timestampFromDate(new Date()),
            trigger: clearance.ClearanceTrigger.CUSTOMS_RELEASED,
          }),
        },
      }),
      h.parcel('QH').parcelId,
    );
    const closing = await waitFor(
      async () =>
        (
          await h.pg.query(
            `SELECT status, next_attempt_at, task_id FROM messages WHERE case_id = $1 AND template_id = 'resident-case-cleared'`,
            [task!.caseId],
          )
        ).rows[0],
      { timeoutMs: 20_000, description: 'the closing notice queued' },
    );
    expect(closing).toMatchObject({ status: 'queued', task_id: null });
    const waits = new Date(closing.next_attempt_at).getTime() - Date.now();
    expect(waits).toBeGreaterThan(100 * 60_000);
    expect(waits).toBeLessThanOrEqual(120 * 60_000);
  }, 60_000);

  it('keeps names, phone numbers and staff addresses out of logs and events', async () => {
    const logs = h.logs();
    expect(logs).toContain('outreach task escalated');
    expect(logs).toContain('assignee unreachable on every channel');
    const keys = new Set(['L', 'S', 'QH', 'QU', 'N'].map((s) => h.parcel(s).parcelId));
    const events = await h.readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (x) => keys.has(x.key),
      (f) => f.length >= 15,
    );
    const emitted = [
      logs,
      ...events.map((e) => `${e.key}\n${e.value.toString('utf8')}\n${JSON.stringify(e.headers)}`),
    ].join('\n');
    const staffMails = Object.values(ids).flatMap((i) => [mail(i.manager), mail(i.steward)]);
    for (const value of [resident.name, resident.phone, opsMail, ...staffMails])
      expect(emitted.includes(value)).toBe(false);
  }, 60_000);
});
