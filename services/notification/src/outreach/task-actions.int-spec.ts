// Steward actions and the escalation ladder against the real broker and Postgres: tasks come from
// real clearance/tracking events, people act through the HTTP API, timers fire from the database
// (also across a restart of the service), and the outreach events are read back from Kafka.
import { CLEARANCE_CASE_TOPIC, ClearanceCaseEventSchema, clearance, notification } from '@portico/contracts';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { waitFor } from '@portico/testing';
import { NotificationHarness, uniqueResident, type OutreachRecord } from '../it-harness';

const ACK_SLA_MS = 3_000;
const STEP_MS = 2_000;

describe('notification: steward actions and escalation (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  const resident = uniqueResident();
  let ids: {
    property: string;
    other: string;
    steward: string;
    colleague: string;
    manager: string;
    stranger: string;
  };
  let address: { postalCode: string; addressLine: string; unit: string };
  const deadline = () => new Date(Date.now() + 72 * 3600_000);

  const steward = (subject: string, propertyId = ids.property) =>
    h.token(['steward'], { subject, propertyIds: [propertyId] });

  async function openTask(suffix: string): Promise<{ taskId: string; parcelId: string; caseId: string }> {
    const ref = h.parcel(suffix);
    const caseId = `case_${h.run}_${suffix}`;
    await h.publishHold(ref, { ...resident, ...address });
    await h.publishDocumentsRequested(ref, caseId, { deadline: deadline() });
    const [task] = await h.tasksOf(ref.parcelId);
    return { taskId: task!.id as string, parcelId: ref.parcelId, caseId };
  }

  const act = async (taskId: string, action: string, token: string, body?: unknown, key?: string) =>
    h.call(`/v1/outreach/tasks/${taskId}/${action}`, {
      method: 'POST',
      token,
      body,
      headers: key ? { 'idempotency-key': key } : undefined,
    });

  const cases = (records: OutreachRecord[], kind: string) => records.filter((r) => r.event.case === kind);

  beforeAll(async () => {
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: String(ACK_SLA_MS),
      OUTREACH_EXPEDITED_ACK_SLA_MS: String(ACK_SLA_MS),
      OUTREACH_ESCALATION_STEP_MS: String(STEP_MS),
      OUTREACH_EXPEDITED_ESCALATION_STEP_MS: String(STEP_MS),
    });
    const r = h.run;
    ids = {
      property: `prop_${r}`,
      other: `prop_other_${r}`,
      steward: `stf_on_${r}`,
      colleague: `stf_colleague_${r}`,
      manager: `stf_mgr_${r}`,
      stranger: `stf_stranger_${r}`,
    };
    address = { postalCode: '200120', addressLine: `${r} Century Avenue`, unit: '12-03' };
    const staff = (id: string, role: string, onDuty: boolean, priority: number, propertyIds: string[]) => ({
      id,
      name: `Staff ${id}`,
      role,
      language: 'zh',
      channel: { kind: 'email', address: `${id}@example.test` },
      propertyIds,
      onDuty,
      priority,
    });
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Escalation Residences ${r}` },
      properties: [
        {
          id: ids.property,
          name: `Tower ${r}`,
          address: {
            country: 'CN',
            region: 'Shanghai',
            city: 'Shanghai',
            district: 'Pudong',
            postalCode: address.postalCode,
            addressLine: address.addressLine,
          },
          units: [
            {
              id: `unit_${r}`,
              label: address.unit,
              residents: [{ id: `res_${r}`, name: resident.name, phone: resident.phone, language: 'zh' }],
            },
          ],
        },
        {
          id: ids.other,
          name: `Other ${r}`,
          address: {
            country: 'CN',
            region: 'Shanghai',
            city: 'Shanghai',
            district: 'Pudong',
            postalCode: address.postalCode,
            addressLine: `1 Elsewhere ${r}`,
          },
          units: [],
        },
      ],
      staff: [
        staff(ids.steward, 'steward', true, 200, [ids.property]),
        staff(ids.colleague, 'steward', true, 50, [ids.property]),
        staff(ids.manager, 'manager', false, 100, [ids.property]),
        staff(ids.stranger, 'steward', true, 100, [ids.other]),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('acknowledging stops the clock; twice changes nothing; a steward of another property cannot see it', async () => {
    const { taskId, parcelId } = await openTask('A');
    const first = await act(taskId, 'acknowledge', await steward(ids.steward));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      task: { id: taskId, state: 'acknowledged', escalationLevel: 'steward', assigneeId: ids.steward },
      action: { action: 'acknowledged', actorId: ids.steward, level: 'steward' },
    });
    const again = await act(taskId, 'acknowledge', await steward(ids.steward));
    expect(again.json).toMatchObject({ task: { state: 'acknowledged' }, action: null });
    const stranger = await act(taskId, 'acknowledge', await steward(ids.stranger, ids.other));
    expect(stranger.status).toBe(404);
    expect(stranger.json).toMatchObject({ error: { code: 'task_not_found' } });

    // Well past the SLA and one step: nothing escalated.
    await new Promise((resolve) => setTimeout(resolve, ACK_SLA_MS + STEP_MS + 1_000));
    const [task] = await h.tasksOf(parcelId);
    expect(task).toMatchObject({ state: 'acknowledged', escalationLevel: 'steward' });
    const events = await h.outreachEvents(
      new Set([parcelId]),
      (f) => cases(f, 'taskAcknowledged').length >= 1,
    );
    expect(cases(events, 'taskAcknowledged')).toHaveLength(1);
    expect(cases(events, 'escalated')).toHaveLength(0);
    const ack = cases(events, 'taskAcknowledged')[0]!.event.value as notification.TaskAcknowledged;
    expect(ack).toMatchObject({ taskId, userId: ids.steward, level: notification.EscalationLevel.STEWARD });
  }, 60_000);

  it('climbs steward -> manager -> operations when nobody acknowledges, across a restart', async () => {
    const { taskId, parcelId } = await openTask('B');
    await waitFor(async () => (await h.tasksOf(parcelId))[0]!.escalationLevel === 'manager', {
      timeoutMs: 20_000,
      description: 'the manager rung',
    });
    expect((await h.tasksOf(parcelId))[0]).toMatchObject({ state: 'open', assigneeId: ids.manager });

    // The operations rung is a durable timer: it fires after a restart just the same.
    await h.restart();
    await waitFor(async () => (await h.tasksOf(parcelId))[0]!.escalationLevel === 'operations', {
      timeoutMs: 30_000,
      description: 'the operations rung',
    });
    const events = await h.outreachEvents(new Set([parcelId]), (f) => cases(f, 'escalated').length >= 2);
    const escalations = cases(events, 'escalated').map((r) => r.event.value as notification.Escalated);
    expect(escalations.map((e) => [e.previousLevel, e.level, e.reason, e.assigneeId])).toEqual([
      [
        notification.EscalationLevel.STEWARD,
        notification.EscalationLevel.MANAGER,
        notification.EscalationReason.ACK_SLA_BREACHED,
        ids.manager,
      ],
      [
        notification.EscalationLevel.MANAGER,
        notification.EscalationLevel.OPERATIONS,
        notification.EscalationReason.ACK_SLA_BREACHED,
        '',
      ],
    ]);

    // Operations take it; the timeline has every step with its time.
    const operator = await h.token(['operator'], { subject: 'ops_1', tenantId: null });
    const ack = await act(taskId, 'acknowledge', operator);
    expect(ack.json).toMatchObject({
      task: { state: 'acknowledged', escalationLevel: 'operations', assigneeId: 'ops_1' },
    });
    const history = await h.call(`/v1/outreach/tasks/${taskId}/actions`, { token: operator });
    const items = history.json.items as { action: string; level: string; occurredAt: string }[];
    expect(items.map((i) => [i.action, i.level])).toEqual([
      ['escalated', 'manager'],
      ['escalated', 'operations'],
      ['acknowledged', 'operations'],
    ]);
    expect(items.every((i) => !Number.isNaN(Date.parse(i.occurredAt)))).toBe(true);
  }, 90_000);

  it('records a contact once per idempotency key, hands over to a colleague only, refuses closed tasks', async () => {
    const { taskId, parcelId, caseId } = await openTask('C');
    const token = await steward(ids.steward);
    const contacted = await act(taskId, 'contacted', token, { channel: 'phone_call' }, 'click-1');
    expect(contacted.status).toBe(200);
    expect(contacted.json).toMatchObject({
      task: { state: 'acknowledged' },
      action: { action: 'contacted', channel: 'phone_call' },
    });
    const retried = await act(taskId, 'contacted', token, { channel: 'phone_call' }, 'click-1');
    expect(retried.json).toMatchObject({ action: { id: (contacted.json.action as { id: string }).id } });
    const bad = await act(taskId, 'contacted', token, { channel: 'carrier_pigeon' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'validation_failed' } });

    const notColleague = await act(taskId, 'handover', token, { toStaffId: ids.stranger });
    expect(notColleague.status).toBe(400);
    expect(notColleague.json).toMatchObject({
      error: { code: 'not_a_colleague', message: { zh: expect.any(String), en: expect.any(String) } },
    });
    const handed = await act(taskId, 'handover', token, { toStaffId: ids.colleague }, 'handover-1');
    expect(handed.json).toMatchObject({ task: { assigneeId: ids.colleague, stewardId: ids.colleague } });

    // The case clears: the task closes and refuses further actions.
    await h.publish(
      CLEARANCE_CASE_TOPIC.name,
      ClearanceCaseEventSchema,
      create(ClearanceCaseEventSchema, {
        event: {
          case: 'caseCleared',
          value: create(clearance.CaseClearedSchema, {
            caseId,
            tenantId: h.tenantId,
            parcel: h.parcel('C'),
            occurredAt: timestampFromDate(new Date()),
          }),
        },
      }),
      parcelId,
    );
    await waitFor(async () => (await h.tasksOf(parcelId))[0]!.state === 'closed', {
      timeoutMs: 20_000,
      description: 'the task closed',
    });
    const late = await act(taskId, 'handover', await steward(ids.colleague), { toStaffId: ids.steward });
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ error: { code: 'task_closed' } });

    const events = await h.outreachEvents(new Set([parcelId]), (f) => cases(f, 'taskClosed').length >= 1);
    expect(cases(events, 'residentContacted')).toHaveLength(1);
    const contact = cases(events, 'residentContacted')[0]!.event.value as notification.ResidentContacted;
    expect(contact).toMatchObject({
      taskId,
      stewardId: ids.steward,
      residentId: `res_${h.run}`,
      channel: notification.Channel.PHONE_CALL,
    });
    const reassigned = cases(events, 'taskReassigned').map(
      (r) => r.event.value as notification.TaskReassigned,
    );
    expect(reassigned.map((e) => [e.fromUserId, e.toUserId])).toEqual([[ids.steward, ids.colleague]]);
  }, 60_000);

  it('holds an escalation during the property quiet hours', async () => {
    await h.quietHoursAroundNow(ids.property);
    const { parcelId } = await openTask('D');
    await new Promise((resolve) => setTimeout(resolve, ACK_SLA_MS + 1_500));
    expect((await h.tasksOf(parcelId))[0]).toMatchObject({ state: 'open', escalationLevel: 'steward' });
    const { rows } = await h.pg.query(
      `SELECT due_at FROM timers WHERE key LIKE 'outreach-task:%:ack' AND payload->>'taskId' = $1`,
      [(await h.tasksOf(parcelId))[0]!.id],
    );
    // Re-armed for the end of the quiet hours (about two hours away), not dropped.
    const dueIn = new Date(rows[0].due_at).getTime() - Date.now();
    expect(dueIn).toBeGreaterThan(100 * 60_000);
    expect(dueIn).toBeLessThanOrEqual(120 * 60_000);
  }, 60_000);

  it('keeps names and phone numbers out of logs and events', async () => {
    const logs = h.logs();
    expect(logs).toContain('outreach task escalated');
    expect(logs).not.toContain(resident.name);
    expect(logs).not.toContain(resident.phone);
    const keys = new Set(['A', 'B', 'C', 'D'].map((s) => h.parcel(s).parcelId));
    const events = await h.outreachEvents(keys, (f) => f.length >= 10);
    const serialised = JSON.stringify(
      events.map((e) => e.event.value),
      (_k, v) => (typeof v === 'bigint' ? String(v) : v),
    );
    expect(serialised).not.toContain(resident.name);
    expect(serialised).not.toContain(resident.phone);
  }, 60_000);
});
