// A case's whole documents chain against the real broker and Postgres: id-vault's and
// notification's events published onto their shared topics move the case, clearance.case.v1
// carries every transition, and the durable timers follow (scheduled, cancelled, fired).
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, clearance, common, notification, vault } from '@portico/contracts';
import { signDevToken } from '@portico/auth';
import { waitFor } from '@portico/testing';
import { ClearanceHarness } from '../test-support/clearance-harness';

const HOUR = 3_600_000;

describe('clearance: documents, acknowledgement and timers (real Kafka + Postgres)', () => {
  let h: ClearanceHarness;

  beforeAll(async () => {
    h = await ClearanceHarness.start('progress-it');
    await h.startInstance();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  const caseOf = async (parcelId: string) =>
    (
      await h.query<{
        id: string;
        state: string;
        documents_round: number;
        ack_due_at: Date | null;
        acknowledged_at: Date | null;
        ack_sla_breached_at: Date | null;
        documents_channel: string | null;
        property_id: string | null;
      }>(`SELECT * FROM clearance_cases WHERE parcel_id = $1`, [parcelId])
    )[0]!;
  const timersOf = (caseId: string) =>
    h
      .query<{ key: string; kind: string; due_at: Date }>(
        `SELECT key, kind, due_at FROM timers WHERE key LIKE $1 ORDER BY due_at`,
        [`case:${caseId}:%`],
      )
      .then((rows) => rows.map((r) => r.key.slice(`case:${caseId}:`.length)));
  const vaultIds = (caseId: string, ref: common.ParcelRef, documentId: string) => ({
    caseId,
    tenantId: h.tenant,
    parcel: ref,
    requestId: 'upr_1',
    documentId,
    occurredAt: timestampFromDate(new Date()),
  });

  it('walks received -> review -> rejected -> re-requested -> received -> submitted -> cleared, with timers following', async () => {
    const ref = h.parcel('A');
    const heldAt = new Date(Date.now() - HOUR);
    const deadline = new Date(heldAt.getTime() + 72 * HOUR);
    await h.waitProcessed((await h.publishHold(ref, heldAt, deadline)).eventId, 'hold');
    const opened = await caseOf(ref.parcelId);
    expect(opened.state).toBe('awaiting_documents');
    // the request's timers: SLA, the reminders still ahead, the expiry
    expect(await timersOf(opened.id)).toEqual([
      'ack-sla',
      'reminder:48h',
      'reminder:24h',
      'reminder:6h',
      'expiry',
    ]);
    const ackDue = opened.ack_due_at!.getTime() - Date.now();
    expect(ackDue).toBeGreaterThan(1.9 * HOUR);
    expect(ackDue).toBeLessThanOrEqual(2 * HOUR);

    // the steward acknowledges the outreach task: SLA timer gone, the rest stays
    const ack = await h.publishOutreach(ref, {
      case: 'taskAcknowledged',
      value: {
        taskId: 'tsk_1',
        tenantId: h.tenant,
        parcel: ref,
        caseId: opened.id,
        userId: 'usr_steward_1',
        occurredAt: timestampFromDate(new Date()),
      },
    });
    await h.waitProcessed(ack.eventId, 'ack');
    expect((await caseOf(ref.parcelId)).acknowledged_at).not.toBeNull();
    expect(await timersOf(opened.id)).toEqual(['reminder:48h', 'reminder:24h', 'reminder:6h', 'expiry']);

    // the property is learned from RecipientResolved
    const resolved = await h.publishOutreach(ref, {
      case: 'recipientResolved',
      value: {
        tenantId: h.tenant,
        parcel: ref,
        propertyId: 'prop_it_1',
        occurredAt: timestampFromDate(new Date()),
      },
    });
    await h.waitProcessed(resolved.eventId, 'recipient resolved');
    expect((await caseOf(ref.parcelId)).property_id).toBe('prop_it_1');

    // round 1: the card arrives through the secure link -> documents received, reminders pause
    const submitted = await h.publishVault(ref, {
      case: 'documentSubmitted',
      value: {
        ...vaultIds(opened.id, ref, 'doc_1'),
        documentType: common.DocumentType.RESIDENT_ID_CARD,
        sides: [common.DocumentSide.FRONT, common.DocumentSide.BACK],
        channel: vault.SubmissionChannel.RESIDENT_UPLOAD,
        attempt: 1,
      },
    });
    await h.waitProcessed(submitted.eventId, 'submitted');
    expect(await caseOf(ref.parcelId)).toMatchObject({
      state: 'documents_received',
      documents_channel: 'secure_upload',
    });
    expect(await timersOf(opened.id)).toEqual(['expiry']);

    // the steward rejects it: review started, rejected, round 2 requested with the reason, new SLA
    const rejected = await h.publishVault(ref, {
      case: 'documentRejected',
      value: {
        ...vaultIds(opened.id, ref, 'doc_1'),
        reason: common.DocumentRejectionReason.UNREADABLE,
        stewardId: 'usr_steward_1',
      },
    });
    await h.waitProcessed(rejected.eventId, 'rejected');
    const reRequested = await caseOf(ref.parcelId);
    expect(reRequested).toMatchObject({
      state: 'awaiting_documents',
      documents_round: 2,
      acknowledged_at: null,
      documents_channel: null,
    });
    expect(await timersOf(opened.id)).toEqual([
      'ack-sla',
      'reminder:48h',
      'reminder:24h',
      'reminder:6h',
      'expiry',
    ]);

    // round 2: a new card, approved, relayed -> submitted to carrier
    for (const [n, event] of [
      [
        'submitted again',
        {
          case: 'documentSubmitted' as const,
          value: {
            ...vaultIds(opened.id, ref, 'doc_2'),
            documentType: common.DocumentType.RESIDENT_ID_CARD,
            channel: vault.SubmissionChannel.RESIDENT_UPLOAD,
          },
        },
      ],
      [
        'approved',
        {
          case: 'documentApproved' as const,
          value: { ...vaultIds(opened.id, ref, 'doc_2'), stewardId: 'usr_steward_1' },
        },
      ],
      [
        'relayed',
        {
          case: 'documentRelayed' as const,
          value: { ...vaultIds(opened.id, ref, 'doc_2'), grantId: 'grt_1' },
        },
      ],
    ] as const) {
      await h.waitProcessed((await h.publishVault(ref, event)).eventId, n);
    }
    expect((await caseOf(ref.parcelId)).state).toBe('submitted_to_carrier');

    // customs releases: cleared, and nothing of the case may fire any more
    const release = await h.publishTracking(ref, {
      status: carrier.TrackingStatus.CUSTOMS_RELEASED,
      occurredAt: timestampFromDate(new Date()),
      rawStatusCode: 'RELEASED',
    });
    await h.waitProcessed(release.eventId, 'release');
    expect((await caseOf(ref.parcelId)).state).toBe('cleared');
    expect(await timersOf(opened.id)).toEqual([]);

    await waitFor(() => h.events(ref.parcelId).length >= 10, {
      timeoutMs: 30_000,
      description: 'all case events',
    });
    await new Promise((r) => setTimeout(r, 1_000)); // duplicates would show by now
    expect(h.eventCases(ref.parcelId)).toEqual([
      'caseOpened',
      'documentsRequested',
      'documentsReceived',
      'reviewStarted',
      'documentsRejected',
      'documentsRequested',
      'documentsReceived',
      'reviewStarted',
      'submittedToCarrier',
      'caseCleared',
    ]);
    const events = h.events(ref.parcelId).map((r) => r.event.event);
    const rejectedEvent = events[4]!.value as clearance.DocumentsRejected;
    expect(rejectedEvent).toMatchObject({
      caseId: opened.id,
      state: clearance.CaseState.REJECTED,
      documentIds: ['doc_1'],
      reasons: [common.DocumentRejectionReason.UNREADABLE],
      rejectedBy: clearance.Reviewer.STEWARD,
      round: 1,
      propertyId: 'prop_it_1',
    });
    expect(events[5]!.value).toMatchObject({
      round: 2,
      previousRejectionReasons: [common.DocumentRejectionReason.UNREADABLE],
      requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
    });
    expect(events[2]!.value).toMatchObject({
      documentIds: ['doc_1'],
      channel: clearance.DocumentChannel.SECURE_UPLOAD,
      round: 1,
    });
    expect(events[8]!.value).toMatchObject({ documentIds: ['doc_2'], grantIds: ['grt_1'] });

    // the history has every step, and the steward's actions are on record for the effort metric
    const history = await h.query<{ to_state: string }>(
      `SELECT to_state FROM clearance_case_transitions WHERE case_id = $1 ORDER BY id`,
      [opened.id],
    );
    expect(history.map((r) => r.to_state)).toEqual([
      'opened',
      'awaiting_documents',
      'documents_received',
      'under_review',
      'rejected',
      'awaiting_documents',
      'documents_received',
      'under_review',
      'submitted_to_carrier',
      'cleared',
    ]);
    const activity = await h.query<{ kind: string; actor_id: string }>(
      `SELECT kind, actor_id FROM clearance_case_activity WHERE case_id = $1 ORDER BY id`,
      [opened.id],
    );
    expect(activity).toEqual([
      { kind: 'task_acknowledged', actor_id: 'usr_steward_1' },
      { kind: 'document_reviewed', actor_id: 'usr_steward_1' },
      { kind: 'document_reviewed', actor_id: 'usr_steward_1' },
    ]);

    // the property manager's monthly review counts it: one case, cleared, not first-pass, all secure
    const month = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
    })
      .format(new Date())
      .slice(0, 7);
    const manager = await signDevToken(
      { subject: 'usr_manager_1', roles: ['manager'], tenantId: h.tenant, propertyIds: ['prop_it_1'] },
      { key: h.devTokenKey, issuer: h.config.authIssuer, audience: h.config.authAudience },
    );
    const url = h.instances[0]!.url;
    const review = await fetch(`${url}/v1/reviews/monthly?month=${month}&propertyId=prop_it_1`, {
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(review.status).toBe(200);
    const body = (await review.json()) as { properties: Array<Record<string, unknown>> };
    expect(body.properties).toEqual([
      expect.objectContaining({
        propertyId: 'prop_it_1',
        cases: 1,
        cleared: 1,
        secureChannelShare: 1,
        firstPassAcceptance: 0,
        escalations: 0,
        ackSlaBreaches: 0,
        missedDeadlines: 0,
      }),
    ]);
    expect(body.properties[0]!.stewardMinutesPerCase).toBeGreaterThanOrEqual(2);
    expect((body.properties[0]!.holdToClearanceHours as { median: number }).median).toBeGreaterThanOrEqual(1);
    const bad = await fetch(`${url}/v1/reviews/monthly?month=2026-13`, {
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(bad.status).toBe(400);
    // and the same figures, platform-wide, on /metrics
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/portico_clearance_time_to_clear_seconds_count\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/portico_clearance_first_rounds_total\{outcome="rejected"[^}]*\} [1-9]/);
    expect(metrics).toMatch(
      /portico_clearance_documents_received_total\{channel="secure_upload"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/portico_clearance_steward_minutes_count\{[^}]*outcome="cleared"[^}]*\} [1-9]/);
  });

  it('fires the SLA breach, the reminders and the expiry when they come due, once each', async () => {
    const ref = h.parcel('B');
    const heldAt = new Date(Date.now() - HOUR);
    await h.waitProcessed(
      (await h.publishHold(ref, heldAt, new Date(heldAt.getTime() + 72 * HOUR))).eventId,
      'hold',
    );
    const c = await caseOf(ref.parcelId);

    // Time passes for the SLA and one reminder: their rows become due (the runner polls every 100 ms).
    await h.query(`UPDATE timers SET due_at = now() WHERE key = ANY($1::text[])`, [
      [`case:${c.id}:ack-sla`, `case:${c.id}:reminder:48h`],
    ]);
    await waitFor(() => h.eventCases(ref.parcelId).length >= 4, {
      timeoutMs: 15_000,
      description: 'breach + reminder',
    });
    const breached = await caseOf(ref.parcelId);
    expect(breached.ack_sla_breached_at).not.toBeNull();
    expect(breached.state).toBe('awaiting_documents');
    const byCase = (name: string) => h.events(ref.parcelId).filter((r) => r.event.event.case === name);
    const breach = byCase('stewardAckSlaBreached')[0]!.event.event.value as clearance.StewardAckSlaBreached;
    expect(timestampDate(breach.ackDueAt!)).toEqual(c.ack_due_at);
    expect(Number(breach.sla!.seconds)).toBe(7_200);
    const reminder = byCase('residentReminderDue')[0]!.event.event.value as clearance.ResidentReminderDue;
    expect(reminder.caseId).toBe(c.id);
    expect(Number(reminder.leadTime!.seconds)).toBeGreaterThan(70 * 3600);

    // The deadline passes: expired, CaseExpired, no timer left; a late acknowledgement changes nothing.
    await h.query(`UPDATE clearance_cases SET deadline = now() - interval '1 second' WHERE id = $1`, [c.id]);
    await h.query(`UPDATE timers SET due_at = now() WHERE key = $1`, [`case:${c.id}:expiry`]);
    await waitFor(async () => (await caseOf(ref.parcelId)).state === 'expired', {
      timeoutMs: 15_000,
      description: 'expired',
    });
    expect(await timersOf(c.id)).toEqual([]);
    const late = await h.publishOutreach(ref, {
      case: 'taskAcknowledged',
      value: {
        taskId: 'tsk_2',
        tenantId: h.tenant,
        parcel: ref,
        caseId: c.id,
        userId: 'usr_2',
        level: notification.EscalationLevel.STEWARD,
      },
    });
    await h.waitProcessed(late.eventId, 'late ack');
    await new Promise((r) => setTimeout(r, 1_000));
    const cases = h.eventCases(ref.parcelId);
    expect(cases.slice(0, 2)).toEqual(['caseOpened', 'documentsRequested']);
    // the two timers were due together: either order, each exactly once
    expect(cases.slice(2, 4).sort()).toEqual(['residentReminderDue', 'stewardAckSlaBreached']);
    expect(cases.slice(4)).toEqual(['caseExpired']);
    const expired = byCase('caseExpired')[0]!.event.event.value as clearance.CaseExpired;
    expect(expired.expiredInState).toBe(clearance.CaseState.AWAITING_DOCUMENTS);

    // the clearance dashboard's series: missed deadlines counted, open cases and risk counted on scrape
    const metrics = await (await fetch(`${h.instances[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(/portico_clearance_deadlines_missed_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(
      /portico_clearance_cases_open\{[^}]*hold_reason="id_documents_required"[^}]*\} \d+/,
    );
    expect(metrics).toMatch(/portico_clearance_deadlines_at_risk\{[^}]*\} \d+/);
  });

  it("ignores vault events for another tenant's case id and keeps personal data out of the log", async () => {
    const ref = h.parcel('C');
    await h.waitProcessed(
      (await h.publishHold(ref, new Date(Date.now() - HOUR), new Date(Date.now() + 70 * HOUR))).eventId,
      'hold',
    );
    const c = await caseOf(ref.parcelId);
    const foreign = await h.publishVault(ref, {
      case: 'documentSubmitted',
      value: {
        ...vaultIds(c.id, ref, 'doc_x'),
        tenantId: 'ten_someone_else',
        documentType: common.DocumentType.RESIDENT_ID_CARD,
      },
    });
    await h.waitProcessed(foreign.eventId, 'foreign');
    expect((await caseOf(ref.parcelId)).state).toBe('awaiting_documents');
    expect(await h.query(`SELECT 1 FROM clearance_case_documents WHERE case_id = $1`, [c.id])).toEqual([]);
    // tracking numbers identify a person's parcel to anyone who has the waybill: ids only in logs
    expect(h.logText()).not.toContain(ref.trackingNumber);
  });
});
