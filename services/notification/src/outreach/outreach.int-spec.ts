// notification against the real broker and Postgres (NotificationHarness): the service runs
// exactly as in production, the directory comes in through the HTTP API, and carrier-ingestion's
// and clearance's events are published onto the shared topics the way those services publish them.
// Tracking numbers, tenant and group are unique per run, since the topics are shared with other
// suites and with a platform started by `npm run up`.
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CARRIER_TRACKING_TOPIC,
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  common,
  dlqTopicName,
  notification,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  retryTopicName,
  type OutreachEvent,
} from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { NotificationHarness, uniqueResident, type ReceivedRecord } from '../it-harness';

describe('notification: directory, parcel projection and outreach tasks (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  const resident = uniqueResident();
  const residentName = resident.name;
  const residentPhone = resident.phone;
  const neighbourName = `${residentName}邻`;
  const neighbourPhone = `15${residentPhone.slice(2)}`;
  const PERSONAL_DATA = [residentName, residentPhone, neighbourName, neighbourPhone];
  let run: string;
  let TENANT: string;
  let PROPERTY: string;
  let OTHER_PROPERTY: string;
  let STEWARD_ON_DUTY: string;
  let group: string;
  let directory: ReturnType<typeof buildDirectory>;
  let parcels: Record<'ordered' | 'early' | 'stranger', common.ParcelRef>;
  let ourKeys: Set<string>;
  const ADDRESS = {
    country: 'CN',
    region: 'Shanghai',
    city: 'Shanghai',
    district: 'Pudong',
    postalCode: '200120',
    addressLine: '',
  };

  function buildDirectory() {
    const staff = (id: string, role: 'steward' | 'manager', onDuty: boolean, priority: number) => ({
      id,
      name: `Staff ${id}`,
      role,
      language: 'zh',
      channel: { kind: 'email', address: `${id}@example.test` },
      propertyIds: [PROPERTY],
      onDuty,
      priority,
    });
    return {
      tenant: { id: TENANT, name: `Harbour Residences ${run}` },
      properties: [
        {
          id: PROPERTY,
          name: `Harbour Tower ${run}`,
          address: ADDRESS,
          units: [
            {
              id: `unit_1203_${run}`,
              label: '12-03',
              residents: [
                { id: `res_${run}`, name: residentName, phone: residentPhone, language: 'zh' },
                { id: `res_nb_${run}`, name: neighbourName, phone: neighbourPhone, language: 'en' },
              ],
            },
          ],
        },
        {
          id: OTHER_PROPERTY,
          name: `Other Tower ${run}`,
          address: { ...ADDRESS, addressLine: `1 Elsewhere Road ${run}` },
          units: [],
        },
      ],
      staff: [
        staff(STEWARD_ON_DUTY, 'steward', true, 200),
        staff(`stf_backup_${run}`, 'steward', true, 50),
        staff(`stf_off_${run}`, 'steward', false, 999),
        staff(`stf_mgr_${run}`, 'manager', false, 100),
      ],
    };
  }

  const token = (roles: string[], propertyIds: string[] = [PROPERTY]) => h.token(roles, { propertyIds });
  const operator = () => h.operator();
  const call = (path: string, options: { method?: string; token?: string; body?: unknown } = {}) =>
    h.call(path, options);
  const tasksOf = (query: string, bearer?: string) => h.tasks(query, bearer);
  const publish = (...args: Parameters<NotificationHarness['publish']>) => h.publish(...args);
  const hold = (ref: common.ParcelRef, name: string, phone: string) =>
    h.publishHold(ref, {
      name,
      phone,
      postalCode: ADDRESS.postalCode,
      addressLine: ADDRESS.addressLine,
      unit: '12-03',
    });
  const documentsRequested = (ref: common.ParcelRef, caseId: string, deadline: Date) =>
    create(ClearanceCaseEventSchema, {
      event: {
        case: 'documentsRequested',
        value: create(clearance.DocumentsRequestedSchema, {
          caseId,
          tenantId: TENANT,
          parcel: ref,
          state: clearance.CaseState.AWAITING_DOCUMENTS,
          occurredAt: timestampFromDate(new Date()),
          requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
          deadline: timestampFromDate(deadline),
          round: 1,
          expedited: false,
        }),
      },
    });
  const readRecords = (
    topics: string[],
    keep: (r: ReceivedRecord) => boolean,
    done: (found: ReceivedRecord[]) => boolean,
  ) =>
    // a moment more after `done`, so that duplicates would be seen too
    h
      .readRecords(topics, keep, done)
      .then((found) => new Promise<ReceivedRecord[]>((resolve) => setTimeout(() => resolve(found), 1_500)));
  const outreachEvent = (r: ReceivedRecord): OutreachEvent => fromBinary(OutreachEventSchema, r.value);
  const ofCase = (records: ReceivedRecord[], kind: OutreachEvent['event']['case']) =>
    records.filter((r) => outreachEvent(r).event.case === kind);

  beforeAll(async () => {
    h = await NotificationHarness.start();
    run = h.run;
    TENANT = h.tenantId;
    PROPERTY = `prop_${run}`;
    OTHER_PROPERTY = `prop_other_${run}`;
    STEWARD_ON_DUTY = `stf_on_${run}`;
    group = h.group;
    ADDRESS.addressLine = `${run} Century Avenue, Tower ${run}`;
    directory = buildDirectory();
    parcels = { ordered: h.parcel('A'), early: h.parcel('B'), stranger: h.parcel('C') };
    ourKeys = new Set(Object.values(parcels).map((p) => p.parcelId));
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('imports the directory through the API, idempotently, and refuses bad bodies without echoing them', async () => {
    const first = await call('/v1/directory/import', {
      method: 'POST',
      token: await operator(),
      body: directory,
    });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ tenantId: TENANT, properties: 2, units: 1, residents: 2, staff: 4 });
    const again = await call('/v1/directory/import', {
      method: 'POST',
      token: await operator(),
      body: directory,
    });
    expect(again.json).toEqual(first.json);

    const broken = structuredClone(directory);
    broken.properties[0]!.units[0]!.residents[0]!.phone = `${residentPhone} ext. 9`;
    const rejected = await call('/v1/directory/import', {
      method: 'POST',
      token: await operator(),
      body: broken,
    });
    expect(rejected.status).toBe(400);
    expect(rejected.json).toMatchObject({
      error: {
        code: 'validation_failed',
        details: { issues: [expect.objectContaining({ path: 'properties.0.units.0.residents.0.phone' })] },
      },
    });
    expect(rejected.text).not.toContain(residentPhone);
    expect(rejected.text).not.toContain(residentName);

    // Stewards do not import; a stranger's token for another tenant neither.
    const asSteward = await call('/v1/directory/import', {
      method: 'POST',
      token: await token(['steward']),
      body: directory,
    });
    expect(asSteward.status).toBe(403);
    expect((await call('/v1/directory/import', { method: 'POST', body: directory })).status).toBe(401);
  });

  it('gives the on-duty steward one task for a documents request, however often it is delivered', async () => {
    const ref = parcels.ordered;
    const caseId = `case_${run}_a`;
    const deadline = new Date(Date.now() + 72 * 3600_000);
    await hold(ref, residentName, residentPhone);

    const message = documentsRequested(ref, caseId, deadline);
    const record = await publish(CLEARANCE_CASE_TOPIC.name, ClearanceCaseEventSchema, message, ref.parcelId);
    // the same record again (a redelivery) and the same event re-published under a new event id
    await publish(CLEARANCE_CASE_TOPIC.name, ClearanceCaseEventSchema, message, ref.parcelId, record.eventId);
    await publish(CLEARANCE_CASE_TOPIC.name, ClearanceCaseEventSchema, message, ref.parcelId);

    const stewardToken = await token(['steward']);
    const [task] = await waitFor(
      () => tasksOf(`parcelId=${ref.parcelId}`, stewardToken).then((t) => t.length > 0 && t),
      {
        timeoutMs: 30_000,
        description: 'an outreach task for the parcel',
      },
    );
    expect(task).toMatchObject({
      parcelId: ref.parcelId,
      caseId,
      kind: 'documents_requested',
      state: 'open',
      stewardId: STEWARD_ON_DUTY,
      residentId: `res_${run}`,
      residentName,
      deadline: deadline.toISOString(),
      script: { templateRef: 'documents-requested@1', language: 'zh' },
    });
    const script = (task as { script: { text: string; en: string } }).script;
    expect(script.text.startsWith(`${residentName}您好`)).toBe(true);
    expect(script.text).toContain(ref.trackingNumber);
    expect(script.text).toContain('一次性安全上传链接');
    const ackDue =
      new Date(task!.ackDueAt as string).getTime() - new Date(task!.createdAt as string).getTime();
    expect(ackDue).toBe(2 * 3600_000);

    // Operators see the task, with ids but without names.
    const [asOperator] = await tasksOf(`caseId=${caseId}`);
    expect(asOperator).toMatchObject({ id: task!.id, stewardId: STEWARD_ON_DUTY });
    expect(JSON.stringify(asOperator)).not.toContain(residentName);
    // A steward of another property sees nothing, and may not ask for this property.
    expect(await tasksOf(`parcelId=${ref.parcelId}`, await token(['steward'], [OTHER_PROPERTY]))).toEqual([]);
    const foreign = await call(`/v1/outreach/tasks?propertyId=${PROPERTY}`, {
      token: await token(['steward'], [OTHER_PROPERTY]),
    });
    expect(foreign.status).toBe(403);

    const records = await readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (r) => r.key === ref.parcelId,
      (found) => found.length >= 2,
    );
    expect(ofCase(records, 'outreachTaskCreated')).toHaveLength(1);
    expect(ofCase(records, 'recipientResolved')).toHaveLength(1);
    const created = outreachEvent(ofCase(records, 'outreachTaskCreated')[0]!).event
      .value as notification.OutreachTaskCreated;
    expect(created).toMatchObject({
      taskId: task!.id,
      caseId,
      stewardId: STEWARD_ON_DUTY,
      residentId: `res_${run}`,
      propertyId: PROPERTY,
    });
    expect(created.kind).toBe(notification.OutreachKind.DOCUMENTS_REQUESTED);
    for (const r of records) {
      expect(r.headers['tenant-id']).toBe(TENANT);
      expect(r.headers['schema']).toBe('portico.notification.v1.OutreachEvent');
    }
    // still exactly one task after every copy was consumed
    expect(await tasksOf(`caseId=${caseId}`)).toHaveLength(1);
  });

  it('still creates the task when the documents request arrives before the tracking event (retry path)', async () => {
    const ref = parcels.early;
    const caseId = `case_${run}_b`;
    await publish(
      CLEARANCE_CASE_TOPIC.name,
      ClearanceCaseEventSchema,
      documentsRequested(ref, caseId, new Date(Date.now() + 48 * 3600_000)),
      ref.parcelId,
    );
    // The first attempt fails (no projection yet) and the record waits in the retry topic.
    await waitFor(
      async () =>
        (
          await h.pg.query(`SELECT 1 FROM consumer_key_parking WHERE consumer = $1 AND key = $2`, [
            group,
            ref.parcelId,
          ])
        ).rows.length > 0,
      { timeoutMs: 30_000, description: 'the documents request parked for retry' },
    );
    expect(await tasksOf(`parcelId=${ref.parcelId}`)).toEqual([]);

    await hold(ref, residentName, residentPhone);
    const [task] = await waitFor(() => tasksOf(`parcelId=${ref.parcelId}`).then((t) => t.length > 0 && t), {
      timeoutMs: 60_000,
      description: 'the task after the retry',
    });
    expect(task).toMatchObject({
      caseId,
      stewardId: STEWARD_ON_DUTY,
      residentId: `res_${run}`,
      state: 'open',
    });
    await waitFor(
      async () =>
        (
          await h.pg.query(`SELECT 1 FROM consumer_key_parking WHERE consumer = $1 AND key = $2`, [
            group,
            ref.parcelId,
          ])
        ).rows.length === 0,
      { timeoutMs: 10_000, description: 'the retry queue of the parcel drained' },
    );
  }, 120_000);

  it("closes the case's tasks when the case is cleared", async () => {
    const ref = parcels.ordered;
    const caseId = `case_${run}_a`;
    const cleared = create(ClearanceCaseEventSchema, {
      event: {
        case: 'caseCleared',
        value: create(clearance.CaseClearedSchema, {
          caseId,
          tenantId: TENANT,
          parcel: ref,
          state: clearance.CaseState.CLEARED,
          occurredAt: timestampFromDate(new Date()),
          trigger: clearance.ClearanceTrigger.CUSTOMS_RELEASED,
        }),
      },
    });
    await publish(CLEARANCE_CASE_TOPIC.name, ClearanceCaseEventSchema, cleared, ref.parcelId);
    const [task] = await waitFor(
      () => tasksOf(`caseId=${caseId}`).then((t) => t[0]?.state === 'closed' && t),
      { timeoutMs: 30_000, description: 'the task closed' },
    );
    expect(task).toMatchObject({ closeResolution: 'case_advanced' });
    const records = await readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (r) => r.key === ref.parcelId,
      (found) => ofCase(found, 'taskClosed').length >= 1,
    );
    const closed = outreachEvent(ofCase(records, 'taskClosed')[0]!).event.value as notification.TaskClosed;
    expect(closed).toMatchObject({ taskId: task!.id, caseId });
    expect(closed.resolution).toBe(notification.TaskResolution.CASE_ADVANCED);
  });

  it("queues a parcel nobody matches and gives the property's steward an unmatched-parcel task", async () => {
    const ref = parcels.stranger;
    const caseId = `case_${run}_c`;
    await hold(ref, '查无此人', '13000000000');
    await publish(
      CLEARANCE_CASE_TOPIC.name,
      ClearanceCaseEventSchema,
      documentsRequested(ref, caseId, new Date(Date.now() + 72 * 3600_000)),
      ref.parcelId,
    );
    const [task] = await waitFor(() => tasksOf(`parcelId=${ref.parcelId}`).then((t) => t.length > 0 && t), {
      timeoutMs: 30_000,
      description: 'the unmatched-parcel task',
    });
    expect(task).toMatchObject({
      kind: 'unmatched_parcel',
      residentId: null,
      stewardId: STEWARD_ON_DUTY,
      propertyId: PROPERTY,
    });
    const { rows } = await h.pg.query(
      `SELECT property_id, reason, state FROM front_desk_queue WHERE parcel_id = $1`,
      [ref.parcelId],
    );
    expect(rows).toEqual([{ property_id: PROPERTY, reason: 'no_resident', state: 'open' }]);
  });

  it('counts tasks by kind and resolutions by method on /metrics', async () => {
    const text = await (await fetch(`${h.service.url}/metrics`)).text();
    const value = (metric: string, label: string) =>
      Number(new RegExp(`^${metric}\\{[^}]*${label}[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('portico_outreach_tasks_created_total', 'kind="documents_requested"')).toBe(2);
    expect(value('portico_outreach_tasks_created_total', 'kind="unmatched_parcel"')).toBe(1);
    expect(value('portico_parcel_resolution_total', 'method="address_match"')).toBe(2);
    // A new group reads the shared topic from the beginning: other runs' requests (tenants this
    // directory does not have) are queued for the front desk and counted as unmatched too.
    expect(value('portico_parcel_resolution_total', 'method="unmatched"')).toBeGreaterThanOrEqual(1);
  });

  it("never lets the residents' names or phone numbers into Kafka or the logs", async () => {
    const groupTopics = [CARRIER_TRACKING_TOPIC, CLEARANCE_CASE_TOPIC].flatMap((t) => [
      retryTopicName(t, group),
      dlqTopicName(t, group),
    ]);
    const records = await readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name, ...groupTopics],
      (r) => ourKeys.has(r.key),
      // created ×3, resolved ×2, closed ×1, and the parked documents request in the retry topic
      (found) => found.length >= 7,
    );
    expect(records.some((r) => r.topic === retryTopicName(CLEARANCE_CASE_TOPIC, group))).toBe(true);
    const emitted = [
      ...records.map(
        (r) =>
          `${r.key}\n${r.value.toString('utf8')}\n${r.value.toString('hex')}\n${JSON.stringify(r.headers)}`,
      ),
      h.logs(),
    ].join('\n');
    expect(h.logs()).toContain('outreach task created'); // the scan saw the service's own lines
    for (const value of PERSONAL_DATA) {
      expect(emitted.includes(value)).toBe(false);
      expect(emitted.includes(Buffer.from(value, 'utf8').toString('hex'))).toBe(false);
    }
  });
});
