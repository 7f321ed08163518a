import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import {
  carrier,
  clearance,
  ClearanceCaseEventSchema,
  common,
  type ClearanceCaseEvent,
} from '@portico/contracts';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import type { CaseTransition, ClearanceCase } from './case';
import { CaseLifecycleService, ConcurrentCaseUpdateError } from './case-lifecycle.service';
import { CaseTimers } from '../deadlines/case-timers';
import { DEFAULT_TIMER_RULES } from '../deadlines/timer-rules';
import type { CaseActivityRepository } from './case-activity.repository';
import { CaseClosing } from './case-closing';
import { CaseMetrics } from './case-metrics';
import { CaseWriter } from './case-writer';
import type { CaseRepository } from './case.repository';
import type { PolicyRepository } from './policy.repository';
import type { RequirementPolicy } from './requirement-policy';
import type { TrackingSignal, TrackingUpdate } from './tracking-update';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-24T06:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const PARCEL = {
  parcelId: 'prc_0123456789abcdef0123456789abcdef',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1',
};
const manager = {} as EntityManager;

const CN_DEFAULT: RequirementPolicy = {
  id: 'pol_default_cn',
  version: 1,
  scope: { tenantId: null, carrierCode: null, originCountryCode: null, destinationCountryCode: 'CN' },
  requirements: { id_documents_required: ['resident_id_card'], duties_unpaid: ['duty_payment_proof'] },
  defaultDeadlineHours: 72,
  timers: null,
  expedite: { highValue: null, perishable: true, deadlineWithinHours: 48 },
};

/**
 * The repository's behaviour, in memory: including the unique indexes (one case per hold key, one
 * open case per reason) and the optimistic version check, which the service relies on.
 */
class FakeCaseRepository {
  readonly rows = new Map<string, ClearanceCase>();
  readonly transitions: CaseTransition[] = [];
  conflictOnInsert = false;
  staleOnSave = false;

  async casesOfParcel(_m: EntityManager, tenantId: string, parcelId: string): Promise<ClearanceCase[]> {
    return [...this.rows.values()].filter((c) => c.tenantId === tenantId && c.parcel.parcelId === parcelId);
  }

  async insert(_m: EntityManager, c: ClearanceCase, history: readonly CaseTransition[]): Promise<boolean> {
    const clash = [...this.rows.values()].some(
      (x) =>
        x.tenantId === c.tenantId &&
        x.parcel.parcelId === c.parcel.parcelId &&
        (x.holdKey === c.holdKey || (x.closedAt === null && x.holdReason === c.holdReason)),
    );
    if (clash || this.conflictOnInsert) return false;
    this.rows.set(c.id, c);
    this.transitions.push(...history);
    return true;
  }

  async saveTransition(_m: EntityManager, next: ClearanceCase, expectedVersion: number): Promise<boolean> {
    if (this.staleOnSave || this.rows.get(next.id)?.version !== expectedVersion) return false;
    this.rows.set(next.id, next);
    return true;
  }

  async markNewerEvent(_m: EntityManager, caseId: string, occurredAt: Date): Promise<void> {
    const c = this.rows.get(caseId)!;
    if (c.lastEventAt < occurredAt) this.rows.set(caseId, { ...c, lastEventAt: occurredAt });
  }

  async addTransitions(_m: EntityManager, transitions: readonly CaseTransition[]): Promise<void> {
    this.transitions.push(...transitions);
  }
}

function setup(policies: RequirementPolicy[] = [CN_DEFAULT]) {
  const repo = new FakeCaseRepository();
  const outbox: Array<OutboxEvent<typeof ClearanceCaseEventSchema>> = [];
  const writer = {
    appendMany: jest.fn(
      async (_m: EntityManager, events: Array<OutboxEvent<typeof ClearanceCaseEventSchema>>) => {
        outbox.push(...events);
        return events.map(() => ({ eventId: 'e', eventType: 't' }));
      },
    ),
  };
  const registry = new Registry();
  const logs: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const logger = {
    info: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'info', fields, msg }),
    warn: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'warn', fields, msg }),
  };
  let now = at(1);
  let ids = 0;
  const timerCalls: string[] = [];
  const metrics = new CaseMetrics(registry);
  const timers = new CaseTimers(DEFAULT_TIMER_RULES);
  jest.spyOn(timers, 'documentsRequested').mockImplementation(async (_m, c, round) => {
    timerCalls.push(`requested:${c.id}:${round}`);
  });
  jest.spyOn(timers, 'closed').mockImplementation(async (_m, caseId) => {
    timerCalls.push(`closed:${caseId}`);
  });
  const service = new CaseLifecycleService(
    repo as unknown as CaseRepository,
    { activePolicies: async () => policies } as unknown as PolicyRepository,
    new CaseWriter(
      repo as unknown as CaseRepository,
      writer as unknown as OutboxWriter,
      logger as unknown as PinoLogger,
    ),
    timers,
    new CaseClosing(
      timers,
      { stewardActionTimes: async () => [] } as unknown as CaseActivityRepository,
      metrics,
    ),
    metrics,
    () => now,
    (prefix: string) => `${prefix}_${String(++ids).padStart(32, '0')}`,
    logger as unknown as PinoLogger,
  );
  const events = () => outbox.map((e) => e.message as ClearanceCaseEvent);
  const counter = async (name: string) =>
    Object.fromEntries(
      ((await registry.getSingleMetric(name)?.get())?.values ?? [])
        .filter((v) => v.value > 0)
        .map((v) => [Object.values(v.labels).join(','), v.value]),
    );
  return {
    repo,
    outbox,
    events,
    logs,
    counter,
    service,
    timerCalls,
    setNow: (d: Date) => (now = d),
    apply: (signal: TrackingSignal, occurredAt: Date, extra: Partial<TrackingUpdate> = {}) =>
      service.applyTrackingUpdate(manager, update(signal, occurredAt, extra)),
  };
}

let eventCounter = 0;
function update(
  signal: TrackingSignal,
  occurredAt: Date,
  extra: Partial<TrackingUpdate> = {},
): TrackingUpdate {
  return {
    eventId: `0193a1b2-0000-7000-8000-${String(++eventCounter).padStart(12, '0')}`,
    tenantId: 'ten_a',
    parcel: PARCEL,
    occurredAt,
    late: false,
    signal,
    shipment: { carrierCode: 'sf-express', destinationCountryCode: 'CN', perishable: false },
    recipientNameDigest: { value: new Uint8Array(32).fill(7), keyId: 'k1' },
    ...extra,
  };
}

const idHold: TrackingSignal = { kind: 'hold', reason: 'id_documents_required' };
const released: TrackingSignal = { kind: 'released', trigger: 'customs_released' };

describe('CaseLifecycleService: opening', () => {
  it('opens a case for an identity hold, asks for documents, and emits CaseOpened then DocumentsRequested', async () => {
    const t = setup();
    const deadline = at(70);
    const hold = update({ ...idHold, carrierDeadline: deadline }, at(0));
    const outcome = await t.service.applyTrackingUpdate(manager, hold);

    expect(outcome).toEqual({
      kind: 'opened',
      caseIds: ['cc_' + '1'.padStart(32, '0')],
      state: 'awaiting_documents',
    });
    // the request's timers are scheduled in the opening transaction, the SLA is on the row
    expect(t.timerCalls).toEqual([`requested:cc_${'1'.padStart(32, '0')}:1`]);
    expect([...t.repo.rows.values()][0]!.ackDueAt).toEqual(at(3));
    const [c] = [...t.repo.rows.values()];
    expect(c).toMatchObject({
      state: 'awaiting_documents',
      holdReason: 'id_documents_required',
      holdKey: 'id_documents_required#1',
      requiredDocuments: ['resident_id_card'],
      documentsRound: 1,
      deadline,
      deadlineSource: 'carrier',
      expedited: false,
      policyId: 'pol_default_cn',
      triggerEventId: hold.eventId,
      holdOccurredAt: at(0),
      lastEventAt: at(0),
      openedAt: at(1),
      closedAt: null,
    });
    expect(t.repo.transitions.map((x) => [x.from, x.to, x.cause, x.causeEventId])).toEqual([
      [null, 'opened', 'customs_hold', hold.eventId],
      ['opened', 'awaiting_documents', 'customs_hold', hold.eventId],
    ]);

    // one outbox write, both events keyed by the parcel, in order
    expect(t.outbox.map((e) => [e.topic, e.key, e.tenantId])).toEqual([
      ['clearance.case.v1', PARCEL.parcelId, 'ten_a'],
      ['clearance.case.v1', PARCEL.parcelId, 'ten_a'],
    ]);
    const [opened, requested] = t.events();
    expect(opened?.event.case).toBe('caseOpened');
    const o = opened!.event.value as clearance.CaseOpened;
    expect(o).toMatchObject({
      caseId: c!.id,
      tenantId: 'ten_a',
      propertyId: '',
      state: clearance.CaseState.OPENED,
      holdReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
      deadlineSource: clearance.DeadlineSource.CARRIER,
      origin: clearance.CaseOrigin.TRACKING_EVENT,
      triggerEventId: hold.eventId,
      policyId: 'pol_default_cn',
      expedited: false, // the carrier's deadline is 69 h away
    } as Partial<clearance.CaseOpened>);
    expect(o.parcel).toMatchObject(PARCEL);
    expect(timestampDate(o.deadline!)).toEqual(deadline);
    expect(o.recipientNameDigest?.keyId).toBe('k1');
    expect(requested?.event.case).toBe('documentsRequested');
    expect(requested!.event.value).toMatchObject({
      caseId: c!.id,
      state: clearance.CaseState.AWAITING_DOCUMENTS,
      requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
      round: 1,
      expedited: false,
    });

    expect(await t.counter('portico_clearance_cases_opened_total')).toEqual({ id_documents_required: 1 });
    expect(t.logs.map((l) => l.msg)).toEqual(['case created -> opened', 'case opened -> awaiting_documents']);
    expect(t.logs[1]!.fields).toEqual({
      caseId: c!.id,
      parcelId: PARCEL.parcelId,
      tenantId: 'ten_a',
      from: 'opened',
      to: 'awaiting_documents',
      cause: 'customs_hold',
      causeEventId: hold.eventId,
    });
  });

  it('opens exactly one case however often the same hold arrives, and never re-emits', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    const first = [...t.repo.rows.values()][0]!;
    const same = await t.apply(idHold, at(0)); // re-published with a new event id
    const older = await t.apply(idHold, at(-1)); // an earlier scan of the same hold, delivered late
    const newer = await t.apply(idHold, at(2)); // the carrier scans the held parcel again
    for (const outcome of [same, older, newer]) {
      expect(outcome).toEqual({ kind: 'ignored', reason: 'hold_already_open', caseIds: [first.id] });
    }
    expect(t.repo.rows.size).toBe(1);
    expect(t.outbox).toHaveLength(2);
    expect(t.repo.rows.get(first.id)).toMatchObject({
      state: 'awaiting_documents',
      version: 1,
      lastEventAt: at(2),
    });
    expect(await t.counter('portico_clearance_cases_opened_total')).toEqual({ id_documents_required: 1 });
  });

  it('leaves the case to the unique index when another transaction opened the hold first', async () => {
    const t = setup();
    t.repo.conflictOnInsert = true;
    expect(await t.apply(idHold, at(0))).toEqual({ kind: 'ignored', reason: 'duplicate', caseIds: [] });
    expect(t.outbox).toHaveLength(0);
    expect(t.timerCalls).toEqual([]);
    expect(t.repo.transitions).toHaveLength(0);
  });

  it('opens a duty hold with its own requirement, and an inspection without asking for anything', async () => {
    const t = setup();
    await t.apply({ kind: 'hold', reason: 'duties_unpaid' }, at(0));
    expect(t.events().map((e) => e.event.case)).toEqual(['caseOpened', 'documentsRequested']);
    expect(t.events()[1]!.event.value).toMatchObject({
      requiredDocuments: [common.DocumentType.DUTY_PAYMENT_PROOF],
    });

    const i = setup();
    const outcome = await i.apply({ kind: 'hold', reason: 'inspection' }, at(0));
    expect(outcome).toMatchObject({ kind: 'opened', state: 'opened' });
    expect(i.events().map((e) => e.event.case)).toEqual(['caseOpened']);
    expect(i.events()[0]!.event.value).toMatchObject({
      holdReason: carrier.CustomsHoldReason.INSPECTION,
      requiredDocuments: [],
      deadlineSource: clearance.DeadlineSource.POLICY,
    });
    expect([...i.repo.rows.values()][0]).toMatchObject({
      state: 'opened',
      documentsRound: 0,
      deadline: at(72),
    });
    expect(await i.counter('portico_clearance_cases_opened_total')).toEqual({ inspection: 1 });
    // nothing is asked of anyone, so there is no SLA and no reminder
    expect(i.timerCalls).toEqual([]);
  });

  it('keeps separate cases for separate hold reasons of one parcel', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply({ kind: 'hold', reason: 'duties_unpaid' }, at(1));
    expect([...t.repo.rows.values()].map((c) => c.holdKey)).toEqual([
      'id_documents_required#1',
      'duties_unpaid#1',
    ]);
  });

  it('expedites from the policy and says so in both events', async () => {
    const t = setup();
    await t.apply({ ...idHold, carrierDeadline: at(20) }, at(0), {
      shipment: { destinationCountryCode: 'CN', perishable: true },
    });
    const [opened, requested] = t.events();
    expect(opened!.event.value).toMatchObject({
      expedited: true,
      expediteReasons: [clearance.ExpediteReason.PERISHABLE, clearance.ExpediteReason.SHORT_DEADLINE],
    });
    expect(requested!.event.value).toMatchObject({ expedited: true });
  });

  it('falls back to the built-in policy when none matches, without guessing documents', async () => {
    const t = setup([CN_DEFAULT]);
    const outcome = await t.apply(idHold, at(0), {
      shipment: { destinationCountryCode: 'JP', perishable: false },
    });
    expect(outcome).toMatchObject({ kind: 'opened', state: 'opened' });
    expect([...t.repo.rows.values()][0]).toMatchObject({
      policyId: 'pol_builtin_fallback',
      requiredDocuments: [],
    });
    expect(t.logs.find((l) => l.level === 'warn')?.msg).toBe('no requirement policy matches');
  });

  it('never writes the name digest or other recipient facts into a log line', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply(released, at(3));
    const allowed = ['caseId', 'parcelId', 'tenantId', 'from', 'to', 'cause', 'causeEventId'];
    for (const line of t.logs) expect(Object.keys(line.fields).every((k) => allowed.includes(k))).toBe(true);
    expect(JSON.stringify(t.logs)).not.toContain(PARCEL.trackingNumber);
  });
});

describe('CaseLifecycleService: closing', () => {
  it('clears an open case on a customs release, with the trigger and the release time', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    t.setNow(at(5));
    const release = update(released, at(4));
    const outcome = await t.service.applyTrackingUpdate(manager, release);
    const c = [...t.repo.rows.values()][0]!;
    expect(outcome).toEqual({ kind: 'closed', caseIds: [c.id], outcome: 'cleared' });
    expect(c).toMatchObject({ state: 'cleared', closedAt: at(5), lastEventAt: at(4), version: 2 });
    expect(t.timerCalls).toEqual([`requested:${c.id}:1`, `closed:${c.id}`]);
    expect(t.repo.transitions.at(-1)).toEqual({
      caseId: c.id,
      from: 'awaiting_documents',
      to: 'cleared',
      at: at(5),
      cause: 'customs_released',
      causeEventId: release.eventId,
    });
    const cleared = t.events()[2]!;
    expect(cleared.event.case).toBe('caseCleared');
    const v = cleared.event.value as clearance.CaseCleared;
    expect(v).toMatchObject({
      caseId: c.id,
      state: clearance.CaseState.CLEARED,
      trigger: clearance.ClearanceTrigger.CUSTOMS_RELEASED,
      triggerEventId: release.eventId,
    });
    expect(timestampDate(v.occurredAt!)).toEqual(at(4));
    expect(timestampDate(v.openedAt!)).toEqual(at(1));
    expect(t.outbox[2]!.key).toBe(PARCEL.parcelId);
    expect(await t.counter('portico_clearance_cases_closed_total')).toEqual({ cleared: 1 });
    expect(t.logs.at(-1)!.msg).toBe('case awaiting_documents -> cleared');
  });

  it.each([
    ['out_for_delivery', clearance.ClearanceTrigger.OUT_FOR_DELIVERY],
    ['delivered', clearance.ClearanceTrigger.DELIVERED],
  ] as const)('treats %s as a release', async (trigger, expected) => {
    const t = setup();
    await t.apply({ kind: 'hold', reason: 'inspection' }, at(0)); // a case still in `opened`
    await t.apply({ kind: 'released', trigger }, at(2));
    expect([...t.repo.rows.values()][0]!.state).toBe('cleared');
    expect(t.events().at(-1)!.event.value).toMatchObject({ trigger: expected });
  });

  it('closes every open case of the parcel on one release', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply({ kind: 'hold', reason: 'duties_unpaid' }, at(1));
    const outcome = await t.apply(released, at(2));
    expect(outcome).toMatchObject({ kind: 'closed', outcome: 'cleared' });
    expect(outcome.caseIds).toHaveLength(2);
    expect(
      t
        .events()
        .slice(-2)
        .map((e) => e.event.case),
    ).toEqual(['caseCleared', 'caseCleared']);
    expect(await t.counter('portico_clearance_cases_closed_total')).toEqual({ cleared: 2 });
  });

  it('records a return to sender', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    const rts = update({ kind: 'returned_to_sender' }, at(9));
    await t.service.applyTrackingUpdate(manager, rts);
    expect([...t.repo.rows.values()][0]!.state).toBe('returned_to_sender');
    const last = t.events().at(-1)!;
    expect(last.event.case).toBe('caseReturnedToSender');
    expect(last.event.value).toMatchObject({
      state: clearance.CaseState.RETURNED_TO_SENDER,
      triggerEventId: rts.eventId,
    });
    expect(await t.counter('portico_clearance_cases_closed_total')).toEqual({ returned_to_sender: 1 });
  });

  it('does nothing for a release without an open case, or for statuses it does not act on', async () => {
    const t = setup();
    expect(await t.apply(released, at(0))).toEqual({ kind: 'ignored', reason: 'no_open_case', caseIds: [] });
    expect(await t.apply({ kind: 'irrelevant' }, at(0))).toEqual({
      kind: 'ignored',
      reason: 'irrelevant',
      caseIds: [],
    });
    expect(t.outbox).toHaveLength(0);
  });

  it('retries (throws) when the case changed under it', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    t.repo.staleOnSave = true;
    await expect(t.apply(released, at(2))).rejects.toBeInstanceOf(ConcurrentCaseUpdateError);
  });
});

describe('CaseLifecycleService: out-of-order events', () => {
  it('does not let a release older than the hold clear the case', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    const c = [...t.repo.rows.values()][0]!;
    expect(await t.apply(released, at(-5))).toEqual({
      kind: 'ignored',
      reason: 'stale_event',
      caseIds: [c.id],
    });
    expect(t.repo.rows.get(c.id)!.state).toBe('awaiting_documents');
  });

  it('does not let a release from between two scans of the hold clear it', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply(idHold, at(3)); // re-held (or scanned again) after…
    expect(await t.apply(released, at(2))).toMatchObject({ kind: 'ignored', reason: 'stale_event' }); // …this release
    expect([...t.repo.rows.values()][0]!.state).toBe('awaiting_documents');
  });

  it('never reopens a closed hold for an older or late hold event', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply(released, at(4));
    expect(await t.apply(idHold, at(1))).toMatchObject({ kind: 'ignored', reason: 'stale_hold' });
    expect(await t.apply(idHold, at(4))).toMatchObject({ kind: 'ignored', reason: 'stale_hold' });
    // carrier-ingestion flags a hold it received after a newer update of the parcel
    expect(await t.apply(idHold, at(6), { late: true })).toMatchObject({
      kind: 'ignored',
      reason: 'late_hold',
    });
    expect(t.repo.rows.size).toBe(1);
    expect(t.events().map((e) => e.event.case)).toEqual(['caseOpened', 'documentsRequested', 'caseCleared']);
  });

  it('opens a new case for a new hold after the clearance', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply(released, at(4));
    const outcome = await t.apply(idHold, at(30));
    expect(outcome).toMatchObject({ kind: 'opened', state: 'awaiting_documents' });
    expect([...t.repo.rows.values()].map((c) => [c.holdKey, c.state])).toEqual([
      ['id_documents_required#1', 'cleared'],
      ['id_documents_required#2', 'awaiting_documents'],
    ]);
  });

  it('does not regress a closed case', async () => {
    const t = setup();
    await t.apply(idHold, at(0));
    await t.apply({ kind: 'returned_to_sender' }, at(8));
    expect(await t.apply(released, at(9))).toMatchObject({ kind: 'ignored', reason: 'no_open_case' });
    expect([...t.repo.rows.values()][0]!.state).toBe('returned_to_sender');
  });
});
