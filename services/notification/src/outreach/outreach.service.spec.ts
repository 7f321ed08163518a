import { common, notification, parcelRef, recipientDigest, type OutreachEvent } from '@portico/contracts';
import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import { Registry } from '@portico/observability';
import type { DescMessage } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import type { DirectoryRepository } from '../directory/directory.repository';
import type { PropertyRecord, ResidentRecord, RotaEntry } from '../directory/directory.types';
import { ParcelNotProjectedYetError } from '../parcels/parcel-errors';
import type { ParcelProjection, StoredResolution } from '../parcels/parcel-projection';
import type { ParcelsRepository } from '../parcels/parcels.repository';
import { RecipientResolver } from '../parcels/recipient-resolver';
import { DIGEST_KEYS, memoryLogger, property, resident, rota } from '../test-support';
import type { FrontDeskEntry, FrontDeskRepository } from './front-desk.repository';
import type { CloseResolution, OutreachTask, TaskKind } from './outreach-task';
import type { EscalationService } from './escalation.service';
import { OutreachMetrics } from './outreach.metrics';
import type { OutreachRepository } from './outreach.repository';
import { MAX_WAITS_FOR_TRACKING, OutreachService, type DocumentsRequestedCommand } from './outreach.service';
import type { TaskTimers } from './task-timers';

const NOW = new Date('2026-11-25T06:00:00Z');
const DEADLINE = new Date('2026-11-28T06:00:00Z');
const m = {} as EntityManager;
const REF = parcelRef('sf-express', 'SF1234567890');
const PARCEL = { parcelId: REF.parcelId, carrierCode: REF.carrierCode, trackingNumber: REF.trackingNumber };

const digest = (field: 'name' | 'phone', value: string) => {
  const d = recipientDigest(field, value, DIGEST_KEYS[0]!);
  return { value: d.value, keyId: d.keyId };
};

/** In-memory stand-ins for the repositories: the service's rules run against plain arrays. */
class World {
  tenants = new Set(['ten_1']);
  properties: PropertyRecord[] = [property()];
  residents: ResidentRecord[] = [resident(), resident({ id: 'res_2', name: '王芳', phone: '13800000002' })];
  preRegistered: { parcelId: string; residentId: string }[] = [];
  rota: RotaEntry[] = [
    rota({ staffId: 'stf_low', priority: 10 }),
    rota({ staffId: 'stf_high', priority: 200, language: 'en' }),
    rota({ staffId: 'stf_off', priority: 999, onDuty: false }),
  ];
  parcels = new Map<string, ParcelProjection>();
  tasks: (OutreachTask & { closeResolution?: CloseResolution })[] = [];
  frontDesk: FrontDeskEntry[] = [];
  outbox: OutboxEvent<DescMessage>[] = [];
  registry = new Registry();
  /** Tasks given their escalation timers, and tasks whose timers were cancelled. */
  timersScheduled: { taskId: string; ackDueAt: Date }[] = [];
  timersCancelled: string[] = [];
  log = memoryLogger();
  ids = 0;

  parcel(overrides: Partial<ParcelProjection> = {}): ParcelProjection {
    const p: ParcelProjection = {
      tenantId: 'ten_1',
      ...PARCEL,
      status: 'customs_hold',
      statusOccurredAt: NOW,
      lastEventId: 'e1',
      hint: {
        countryCode: 'CN',
        region: '',
        city: 'Shanghai',
        district: '',
        postalCode: '200120',
        addressLine: '88 Century Avenue, Tower A',
        unit: '12-03',
        nameDigest: digest('name', '李伟'),
        phoneDigest: digest('phone', '13912345678'),
      },
      hintOccurredAt: NOW,
      resolution: null,
      ...overrides,
    };
    this.parcels.set(p.parcelId, p);
    return p;
  }

  service(): OutreachService {
    const directory = {
      tenantExists: async (_m: unknown, id: string) => this.tenants.has(id),
      property: async (_m: unknown, id: string) => this.properties.find((p) => p.id === id),
      resident: async (_m: unknown, id: string) => this.residents.find((r) => r.id === id),
      resolutionInputs: async (_m: unknown, tenantId: string, parcelIds: string[], lines: string[]) => {
        const properties = this.properties.filter(
          (p) => p.tenantId === tenantId && lines.includes(p.addressLineNorm),
        );
        const preRegistered = new Map<string, ResidentRecord[]>();
        for (const parcelId of parcelIds) {
          const found = this.residents.filter((r) =>
            this.preRegistered.some((p) => p.parcelId === parcelId && p.residentId === r.id),
          );
          if (found.length > 0) preRegistered.set(parcelId, found);
        }
        return {
          preRegistered,
          properties,
          residents: this.residents.filter((r) => properties.some((p) => p.id === r.propertyId)),
        };
      },
      dutyRota: async () => this.rota,
    } as unknown as DirectoryRepository;
    const parcels = {
      findForUpdate: async (_m: unknown, _t: string, id: string) => this.parcels.get(id),
      markResolved: async (_m: unknown, _t: string, id: string, resolution: StoredResolution) => {
        this.parcels.set(id, { ...this.parcels.get(id)!, resolution });
      },
    } as unknown as ParcelsRepository;
    const tasks = {
      existsForCaseRound: async (_m: unknown, caseId: string, round: number) =>
        this.tasks.some((t) => t.caseId === caseId && t.round === round),
      insert: async (_m: unknown, t: OutreachTask) => {
        if (this.tasks.some((x) => x.caseId === t.caseId && x.round === t.round && x.kind === t.kind))
          return false;
        this.tasks.push(t);
        return true;
      },
      closeOpenOfCase: async (
        _m: unknown,
        caseId: string,
        resolution: CloseResolution,
        _at: Date,
        options: { kinds?: TaskKind[]; exceptTaskId?: string } = {},
      ) => {
        const closing = this.tasks.filter(
          (t) =>
            t.caseId === caseId &&
            t.state !== 'closed' &&
            (!options.kinds || options.kinds.includes(t.kind)) &&
            t.id !== options.exceptTaskId,
        );
        this.tasks = this.tasks.map((t) =>
          closing.includes(t) ? { ...t, state: 'closed', closeResolution: resolution } : t,
        );
        return closing;
      },
    } as unknown as OutreachRepository;
    const frontDesk = {
      enqueue: async (_m: unknown, e: FrontDeskEntry) => {
        if (this.frontDesk.some((x) => x.tenantId === e.tenantId && x.parcelId === e.parcelId)) return false;
        this.frontDesk.push(e);
        return true;
      },
    } as unknown as FrontDeskRepository;
    const outbox = {
      append: async (_m: unknown, e: OutboxEvent<DescMessage>) => void this.outbox.push(e),
      appendMany: async (_m: unknown, es: OutboxEvent<DescMessage>[]) => void this.outbox.push(...es),
    } as unknown as OutboxWriter;
    const escalation = {
      scheduleForNewTask: async (_m: unknown, t: { id: string; ackDueAt: Date }) =>
        void this.timersScheduled.push({ taskId: t.id, ackDueAt: t.ackDueAt }),
    } as unknown as EscalationService;
    const timers = {
      cancelAll: async (_m: unknown, ids: string[]) => void this.timersCancelled.push(...ids),
    } as unknown as TaskTimers;
    return new OutreachService(
      tasks,
      frontDesk,
      directory,
      parcels,
      new RecipientResolver(directory, { recipientDigestKeys: DIGEST_KEYS }),
      outbox,
      new OutreachMetrics(this.registry),
      escalation,
      timers,
      () => NOW,
      (prefix: string) => `${prefix}_${++this.ids}`,
      { outreachAckSlaMs: 2 * 3600_000, outreachExpeditedAckSlaMs: 30 * 60_000 },
      this.log.logger,
    );
  }

  events(): { key: string; topic: string; event: OutreachEvent['event'] }[] {
    return this.outbox.map((e) => ({
      key: e.key,
      topic: e.topic,
      event: (e.message as OutreachEvent).event,
    }));
  }

  async metric(name: string): Promise<string> {
    return this.registry.getSingleMetricAsString(name);
  }
}

function request(overrides: Partial<DocumentsRequestedCommand> = {}): DocumentsRequestedCommand {
  return {
    tenantId: 'ten_1',
    caseId: 'case_1',
    parcel: PARCEL,
    round: 1,
    deadline: DEADLINE,
    expedited: false,
    documents: [common.DocumentType.RESIDENT_ID_CARD],
    previousFailures: 0,
    ...overrides,
  };
}

describe('OutreachService.onDocumentsRequested', () => {
  it("gives the on-duty steward with the highest priority a task with the resident's script, and publishes it", async () => {
    const world = new World();
    world.parcel();
    const outcome = await world.service().onDocumentsRequested(m, request());
    expect(outcome).toEqual({ outcome: 'task_created', taskId: 'ot_1' });

    const [task] = world.tasks;
    expect(task).toMatchObject({
      kind: 'documents_requested',
      stewardId: 'stf_high',
      residentId: 'res_1',
      propertyId: 'prop_a',
      state: 'open',
      ackDueAt: new Date(NOW.getTime() + 2 * 3600_000),
      deadline: DEADLINE,
      script: { templateRef: 'documents-requested@1', language: 'zh' },
    });
    expect(task!.script.zh).toContain('运单号 SF1234567890');
    // The escalation clock starts with the task.
    expect(world.timersScheduled).toEqual([{ taskId: 'ot_1', ackDueAt: task!.ackDueAt }]);

    const events = world.events();
    expect(events.map((e) => e.event.case)).toEqual(['recipientResolved', 'outreachTaskCreated']);
    for (const e of events) {
      expect(e.key).toBe(PARCEL.parcelId);
      expect(e.topic).toBe('notification.outreach.v1');
    }
    const resolved = events[0]!.event.value as notification.RecipientResolved;
    expect(resolved).toMatchObject({ residentId: 'res_1', unitId: 'unit_1203', propertyId: 'prop_a' });
    expect(resolved.method).toBe(notification.ResolutionMethod.ADDRESS_MATCH);
    const created = events[1]!.event.value as notification.OutreachTaskCreated;
    expect(created).toMatchObject({
      taskId: 'ot_1',
      caseId: 'case_1',
      stewardId: 'stf_high',
      residentId: 'res_1',
      expedited: false,
    });
    expect(created.kind).toBe(notification.OutreachKind.DOCUMENTS_REQUESTED);
    expect(world.parcels.get(PARCEL.parcelId)?.resolution).toMatchObject({
      residentId: 'res_1',
      method: 'address_match',
    });

    expect(await world.metric('portico_outreach_tasks_created_total')).toContain(
      'kind="documents_requested"} 1',
    );
    expect(await world.metric('portico_parcel_resolution_total')).toContain(
      'method="address_match",address_rule="exact"} 1',
    );
  });

  it('records that the address matched by alias, in the metric label and the log line, without the address', async () => {
    const world = new World();
    const p = world.parcel();
    world.parcel({ hint: { ...p.hint!, region: '上海', city: '上海市', district: '浦东新区' } });
    await expect(world.service().onDocumentsRequested(m, request())).resolves.toMatchObject({
      outcome: 'task_created',
    });
    expect(await world.metric('portico_parcel_resolution_total')).toContain(
      'method="address_match",address_rule="alias"} 1',
    );
    const logged = world.log.text();
    expect(logged).toContain('"addressRule":"alias"');
    for (const value of ['上海', 'Shanghai', '浦东', 'Century', '200120', '12-03'])
      expect(logged).not.toContain(value);
  });

  it('creates one task for the same case and round however often it is delivered', async () => {
    const world = new World();
    world.parcel();
    const service = world.service();
    await service.onDocumentsRequested(m, request());
    await expect(service.onDocumentsRequested(m, request())).resolves.toEqual({ outcome: 'duplicate' });
    expect(world.tasks).toHaveLength(1);
    expect(world.events()).toHaveLength(2);
  });

  it('throws a retryable error while the tracking event has not been consumed yet', async () => {
    const world = new World();
    const error = await world
      .service()
      .onDocumentsRequested(m, request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParcelNotProjectedYetError);
    expect((error as Error).message).toContain(PARCEL.parcelId);
    expect(world.tasks).toHaveLength(0);
    expect(world.outbox).toHaveLength(0);
  });

  it('stops waiting for a tracking event that never comes and queues the parcel for the front desk', async () => {
    const world = new World();
    const service = world.service();
    await expect(
      service.onDocumentsRequested(m, request({ previousFailures: MAX_WAITS_FOR_TRACKING - 1 })),
    ).rejects.toThrow(ParcelNotProjectedYetError);
    const outcome = await service.onDocumentsRequested(
      m,
      request({ previousFailures: MAX_WAITS_FOR_TRACKING }),
    );
    expect(outcome).toEqual({ outcome: 'unmatched', reason: 'parcel_unknown', taskId: null });
    expect(world.frontDesk[0]).toMatchObject({
      parcelId: PARCEL.parcelId,
      caseId: 'case_1',
      reason: 'parcel_unknown',
    });
  });

  it('shortens acknowledgement for expedited cases and resolves pre-registered parcels first', async () => {
    const world = new World();
    world.parcel({ hint: null });
    world.preRegistered.push({ parcelId: PARCEL.parcelId, residentId: 'res_2' });
    world.residents[1] = { ...world.residents[1]!, language: 'en' };
    await world.service().onDocumentsRequested(m, request({ expedited: true }));
    expect(world.tasks[0]).toMatchObject({
      residentId: 'res_2',
      expedited: true,
      ackDueAt: new Date(NOW.getTime() + 30 * 60_000),
      script: { language: 'en' },
    });
    const resolved = world.events()[0]!.event.value as notification.RecipientResolved;
    expect(resolved.method).toBe(notification.ResolutionMethod.PRE_REGISTERED);
  });

  it('queues an unmatched parcel for the front desk and tells the property steward in their language', async () => {
    const world = new World();
    world.parcel({
      hint: { ...world.parcel().hint!, nameDigest: digest('name', '赵强'), phoneDigest: null },
    });
    const outcome = await world.service().onDocumentsRequested(m, request());
    expect(outcome).toEqual({ outcome: 'unmatched', reason: 'no_resident', taskId: 'ot_2' });
    expect(world.frontDesk).toEqual([
      expect.objectContaining({
        propertyId: 'prop_a',
        reason: 'no_resident',
        hintUnit: '12-03',
        caseId: 'case_1',
      }),
    ]);
    expect(world.tasks[0]).toMatchObject({
      kind: 'unmatched_parcel',
      residentId: null,
      stewardId: 'stf_high',
      script: { templateRef: 'unmatched-parcel@1', language: 'en' },
    });
    const created = world.events().map((e) => e.event.value as notification.OutreachTaskCreated);
    expect(created).toHaveLength(1);
    expect(created[0]!.kind).toBe(notification.OutreachKind.UNMATCHED_PARCEL);
    expect(created[0]!.residentId).toBe('');
    expect(await world.metric('portico_parcel_resolution_total')).toContain(
      'method="unmatched",address_rule="exact"} 1',
    );
    expect(await world.metric('portico_outreach_tasks_created_total')).toContain(
      'kind="unmatched_parcel"} 1',
    );
  });

  it('queues without a task when no single property is at the address', async () => {
    const world = new World();
    world.properties.push(property({ id: 'prop_twin' }));
    world.parcel();
    const outcome = await world.service().onDocumentsRequested(m, request());
    expect(outcome).toEqual({ outcome: 'unmatched', reason: 'ambiguous_property', taskId: null });
    expect(world.frontDesk[0]).toMatchObject({ propertyId: null, reason: 'ambiguous_property' });
    expect(world.tasks).toHaveLength(0);
    expect(world.outbox).toHaveLength(0);
  });

  it('queues parcels of tenants without a directory at once instead of retrying', async () => {
    const world = new World();
    const outcome = await world.service().onDocumentsRequested(m, request({ tenantId: 'ten_unknown' }));
    expect(outcome).toEqual({ outcome: 'unmatched', reason: 'tenant_without_directory', taskId: null });
    expect(world.frontDesk[0]).toMatchObject({ tenantId: 'ten_unknown', propertyId: null });
  });

  it('still creates the task when nobody is on duty, unassigned, and says so in the log', async () => {
    const world = new World();
    world.rota = [rota({ onDuty: false })];
    world.parcel();
    await world.service().onDocumentsRequested(m, request());
    expect(world.tasks[0]?.stewardId).toBeNull();
    expect(world.log.text()).toContain('no steward on duty');
  });

  it('supersedes the previous round on a re-request, reusing the stored resolution', async () => {
    const world = new World();
    world.parcel();
    const service = world.service();
    await service.onDocumentsRequested(m, request());
    await service.onDocumentsRequested(m, request({ round: 2 }));
    expect(world.tasks.map((t) => [t.kind, t.state])).toEqual([
      ['documents_requested', 'closed'],
      ['reupload_requested', 'open'],
    ]);
    expect(world.events().map((e) => e.event.case)).toEqual([
      'recipientResolved',
      'outreachTaskCreated',
      'outreachTaskCreated',
      'taskClosed',
    ]);
    expect(world.tasks[1]!.script.zh).toContain('未能通过审核');
    // The superseded task's escalation stops.
    expect(world.timersCancelled).toEqual([world.tasks[0]!.id]);
  });

  it('logs ids, never the resident name or phone number', async () => {
    const world = new World();
    world.parcel();
    await world.service().onDocumentsRequested(m, request());
    const logged = world.log.text();
    expect(logged).toContain('"taskId":"ot_1"');
    expect(logged).toContain('"caseId":"case_1"');
    expect(logged).toContain(`"parcelId":"${PARCEL.parcelId}"`);
    expect(logged).not.toContain('李伟');
    expect(logged).not.toContain('13912345678');
  });
});

describe('OutreachService.onCaseEnded', () => {
  it("closes the case's open tasks and publishes TaskClosed for each", async () => {
    const world = new World();
    world.parcel();
    const service = world.service();
    await service.onDocumentsRequested(m, request());
    world.outbox = [];
    await expect(
      service.onCaseEnded(m, { caseId: 'case_1', parcelId: PARCEL.parcelId, resolution: 'case_advanced' }),
    ).resolves.toEqual(['ot_1']);
    expect(world.tasks[0]).toMatchObject({ state: 'closed', closeResolution: 'case_advanced' });
    const [closed] = world.events();
    expect(closed?.event.case).toBe('taskClosed');
    expect((closed?.event.value as notification.TaskClosed).resolution).toBe(
      notification.TaskResolution.CASE_ADVANCED,
    );
    // again: nothing left to close, nothing published
    await expect(
      service.onCaseEnded(m, { caseId: 'case_1', parcelId: PARCEL.parcelId, resolution: 'case_ended' }),
    ).resolves.toEqual([]);
    expect(world.outbox).toHaveLength(1);
  });
});
