// Dismissing a front-desk queue entry against the real broker and Postgres: a parcel addressed to
// the property but to nobody in its directory is queued with an unmatched-parcel task; the
// property's steward dismisses it. Covers the 400/404/409 answers, tenant and property isolation,
// the task closing CANCELLED with who did it (TaskClosed on notification.outreach.v1), the list by
// state, a redelivered request not re-queuing the parcel, the metric, and a scan proving the note, the names and the phone numbers reached neither
// Kafka nor the logs. Ids are unique per run: the topics are shared with other suites.
import {
  common,
  NOTIFICATION_OUTREACH_TOPIC,
  notification,
  OutreachEventSchema,
  type OutreachEvent,
} from '@portico/contracts';
import { fromBinary } from '@bufbuild/protobuf';
import { waitFor } from '@portico/testing';
import { NotificationHarness, uniqueResident } from '../it-harness';

// Answers are read loosely; each test asserts the shape it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

describe('notification: dismissing a front-desk queue entry (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  const resident = uniqueResident();
  const addressee = uniqueResident(); // on the label, in nobody's directory
  const NOTE = `退回：${addressee.name} 已搬走，电话 ${addressee.phone} 无人接`;
  let ids: { property: string; resident: string; steward: string };
  let stewardSubject = '';
  let steward = '';
  let entry: Json = {};
  let caseId = '';
  let ref: common.ParcelRef;

  const dismiss = (entryId: string, body: unknown, bearer = steward) =>
    h.call(`/v1/front-desk/queue/${entryId}/dismiss`, { method: 'POST', token: bearer, body }) as Promise<{
      status: number;
      text: string;
      json: Json;
    }>;
  const queue = async (state: string, bearer = steward) =>
    (await h.call(`/v1/front-desk/queue?state=${state}`, { token: bearer })).json.items as Json[];

  beforeAll(async () => {
    h = await NotificationHarness.start({ TIMER_POLL_INTERVAL_MS: '200' });
    ids = await h.importResidentAndSteward({
      prefix: 'fdd',
      label: 'Dismiss',
      person: { ...resident, unit: '3-101' },
      email: `res.fdd.${h.run}@example.test`,
      consent: { sms: false, email: true, wecom: false },
      channelPreferences: ['email'],
      stewardEmail: `stf.fdd.${h.run}@example.test`,
    });
    stewardSubject = `user-steward-fdd-${h.run}`;
    steward = await h.token(['steward'], { subject: stewardSubject, propertyIds: [ids.property] });

    ref = h.parcel('FDD');
    caseId = `case_${h.run}_fdd`;
    await h.publishHold(ref, {
      ...addressee,
      postalCode: '200120',
      addressLine: `${h.run} Dismiss Road`,
      unit: '9-909',
    });
    await h.publishDocumentsRequested(ref, caseId, { deadline: new Date(Date.now() + 72 * 3600_000) });
    [entry] = await waitFor(
      async () => {
        const items = await queue('open');
        return items.length > 0 && items;
      },
      { timeoutMs: 30_000, description: 'the queue entry' },
    );
    await h.tasksOf(ref.parcelId); // the unmatched-parcel task is there before the dismissal
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('refuses a bad reason or an over-long note with 400 validation_failed (zh/en), changing nothing', async () => {
    expect(entry).toMatchObject({ caseId, propertyId: ids.property, state: 'open', reason: 'no_resident' });
    const badReason = await dismiss(entry.id, { reason: 'lost', note: NOTE });
    expect(badReason.status).toBe(400);
    expect(badReason.json.error).toMatchObject({
      code: 'validation_failed',
      message: { en: expect.any(String), zh: expect.any(String) },
      details: { issues: [expect.objectContaining({ path: 'reason' })] },
    });
    const longNote = await dismiss(entry.id, { reason: 'other', note: 'x'.repeat(501) });
    expect(longNote.status).toBe(400);
    expect(longNote.json.error.details.issues).toEqual([expect.objectContaining({ path: 'note' })]);
    for (const answer of [badReason, longNote]) expect(answer.text).not.toContain(addressee.name);
    expect((await queue('open')).map((e) => e.id)).toContain(entry.id);
  });

  it("answers 404 for an unknown entry and for another tenant's or property's steward", async () => {
    const unknown = await dismiss(`fdq_missing_${h.run}`, { reason: 'duplicate' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({
      code: 'front_desk_entry_not_found',
      message: { en: expect.any(String), zh: expect.any(String) },
    });
    const otherTenant = await h.token(['steward'], {
      tenantId: `ten_other_${h.run}`,
      propertyIds: [ids.property],
    });
    const otherProperty = await h.token(['manager'], { propertyIds: [`prop_elsewhere_${h.run}`] });
    for (const bearer of [otherTenant, otherProperty]) {
      const refused = await dismiss(entry.id, { reason: 'duplicate' }, bearer);
      expect(refused.status).toBe(404);
      expect(refused.json.error.code).toBe('front_desk_entry_not_found');
    }
    const { rows } = await h.pg.query(`SELECT state FROM front_desk_queue WHERE id = $1`, [entry.id]);
    expect(rows).toEqual([{ state: 'open' }]);
  });

  it('dismisses the entry, closes its unmatched-parcel task CANCELLED, and then refuses dismiss and link with 409', async () => {
    const done = await dismiss(entry.id, { reason: 'returned_to_sender', note: NOTE });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      entryId: entry.id,
      parcelId: entry.parcelId,
      state: 'dismissed',
      reason: 'returned_to_sender',
      closedTaskIds: [expect.any(String)],
    });
    expect(done.text).not.toContain(NOTE);

    expect((await queue('open')).map((e) => e.id)).not.toContain(entry.id);
    const dismissed = (await queue('dismissed')).find((e) => e.id === entry.id);
    expect(dismissed).toMatchObject({
      state: 'dismissed',
      dismissReason: 'returned_to_sender',
      dismissNote: NOTE,
      dismissedBy: stewardSubject,
      dismissedAt: expect.any(String),
    });

    const tasks = await h.tasks(`caseId=${caseId}`, steward);
    expect(tasks).toEqual([
      expect.objectContaining({
        id: done.json.closedTaskIds[0],
        kind: 'unmatched_parcel',
        state: 'closed',
        closeResolution: 'cancelled',
      }),
    ]);

    const again = await dismiss(entry.id, { reason: 'duplicate' });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({
      code: 'front_desk_entry_dismissed',
      message: { en: expect.any(String), zh: expect.any(String) },
    });
    const link = await h.call(`/v1/front-desk/queue/${entry.id}/link`, {
      method: 'POST',
      token: steward,
      body: { residentId: ids.resident },
    });
    expect(link.status).toBe(409);
    expect((link.json as Json).error.code).toBe('front_desk_entry_dismissed');
    // The same request again (a redelivery, round 1) does not queue the parcel anew.
    const unmatchedLines = () =>
      h
        .logs()
        .split('\n')
        .filter((l) => l.includes('parcel not matched to a resident') && l.includes(caseId)).length;
    const before = unmatchedLines();
    await h.publishDocumentsRequested(ref, caseId, { deadline: new Date(Date.now() + 72 * 3600_000) });
    await waitFor(() => unmatchedLines() > before, {
      timeoutMs: 30_000,
      description: 'the redelivery handled',
    });
    const entries = await h.pg.query(`SELECT state FROM front_desk_queue WHERE parcel_id = $1`, [
      entry.parcelId,
    ]);
    expect(entries.rows).toEqual([{ state: 'dismissed' }]);
    expect(await h.tasks(`caseId=${caseId}`, steward)).toHaveLength(1);

    // The parcel stays unresolved: nobody was linked.
    const { rows } = await h.pg.query(
      `SELECT resolution_method FROM parcel_projection WHERE tenant_id = $1 AND parcel_id = $2`,
      [h.tenantId, entry.parcelId],
    );
    expect(rows).toEqual([{ resolution_method: null }]);
  });

  it('emits one TaskClosed CANCELLED with who dismissed it, counts the reason, and keeps the note, names and phones out of Kafka and the logs', async () => {
    const found = await h.readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (r) => r.key === entry.parcelId,
      (f) => f.some((r) => fromBinary(OutreachEventSchema, r.value).event.case === 'taskClosed'),
    );
    await new Promise((r) => setTimeout(r, 1_000)); // a second TaskClosed would have arrived by now
    const events = found.map((r) => fromBinary(OutreachEventSchema, r.value) as OutreachEvent);
    const closed = events
      .filter((e) => e.event.case === 'taskClosed')
      .map((e) => e.event.value as notification.TaskClosed);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ caseId, closedById: stewardSubject, propertyId: ids.property });
    expect(closed[0]!.resolution).toBe(notification.TaskResolution.CANCELLED);
    expect(events.some((e) => e.event.case === 'recipientResolved')).toBe(false);

    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_front_desk_dismissals_total\{[^}]*reason="returned_to_sender"[^}]*\} 1\n/,
    );

    const logs = h.logs();
    const line = logs.split('\n').find((l) => l.includes('front-desk entry dismissed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      entryId: entry.id,
      reason: 'returned_to_sender',
      dismissedBy: stewardSubject,
    });
    const emitted = [
      ...found.map(
        (r) => `${r.value.toString('utf8')}\n${r.value.toString('hex')}\n${JSON.stringify(r.headers)}`,
      ),
      logs,
    ].join('\n');
    for (const value of [NOTE, addressee.name, addressee.phone, resident.name, resident.phone]) {
      expect(emitted.includes(value)).toBe(false);
      expect(emitted.includes(Buffer.from(value, 'utf8').toString('hex'))).toBe(false);
    }
  }, 60_000);
});
