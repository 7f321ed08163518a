import { common } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import type { ChannelRegistry } from '../channels/channel-registry';
import type { OutreachTask } from '../outreach/outreach-task';
import { memoryLogger } from '../test-support';
import type { EnqueueRequest, MessageOutbox } from './message-outbox';
import { TaskMessages } from './task-messages';
import { FakeContactBook, UnusedUploadLinks } from './test-support/fake-directory';
import { NoUploadLinks, type UploadLinkIssuer } from './upload-links';

const m = {} as EntityManager;

const task: OutreachTask = {
  id: 'ot_1',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'case_1',
  round: 1,
  parcelId: 'prc_1',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  kind: 'documents_requested',
  stewardId: 'stf_1',
  residentId: 'res_1',
  state: 'open',
  ackDueAt: new Date('2026-12-01T12:00:00Z'),
  deadline: new Date('2026-12-03T06:00:00Z'),
  expedited: false,
  script: { templateRef: 'documents-requested@1', language: 'zh', zh: '', en: '' },
  createdAt: new Date('2026-12-01T10:00:00Z'),
};

function setup(
  options: {
    enabled?: ChannelKind[];
    uploadLinks?: UploadLinkIssuer;
    quietHours?: { start: string; end: string } | null;
    now?: Date;
  } = {},
) {
  const contacts = new FakeContactBook();
  contacts.properties.set('prop_a', {
    id: 'prop_a',
    name: 'Harbour Tower A',
    timeZone: 'Asia/Shanghai',
    defaultLanguage: 'zh',
    residentOutreach: 'direct',
    quietHours: options.quietHours ?? null,
  });
  contacts.staffMembers.set('stf_1', {
    id: 'stf_1',
    name: '王管家',
    language: 'en',
    channel: 'wecom',
    address: 'robot-key-123456',
  });
  contacts.residents.set('res_1', {
    id: 'res_1',
    name: '李伟',
    language: 'zh',
    phone: '13912345678',
    email: 'li@example.test',
    wecomUserId: null,
    consent: { sms: true, email: true, wecom: false },
    preferences: ['email', 'sms'],
  });
  const queued: EnqueueRequest[] = [];
  const outbox = {
    enqueue: async (_m: EntityManager, req: EnqueueRequest) => {
      queued.push(req);
      return req.channelPlan.length > 0 ? `msg_${queued.length}` : null;
    },
  } as unknown as MessageOutbox;
  const enabled = new Set(options.enabled ?? ['email', 'sms', 'wecom', 'web_push']);
  const channels = { enabled: (k: ChannelKind) => enabled.has(k) } as unknown as ChannelRegistry;
  const log = memoryLogger();
  const service = new TaskMessages(
    outbox,
    contacts,
    channels,
    options.uploadLinks ?? new UnusedUploadLinks(),
    log.logger,
    () => options.now ?? new Date('2026-12-01T10:00:00Z'),
    { outreachEscalationStepMs: 3_600_000, outreachExpeditedEscalationStepMs: 900_000 },
  );
  return { service, contacts, queued, log };
}

describe('the messages an outreach task causes', () => {
  describe('quiet hours (22:00-07:00 Shanghai)', () => {
    const quietHours = { start: '22:00', end: '07:00' };
    const night = new Date('2026-12-01T15:00:00Z'); // 23:00 Shanghai
    const morning = new Date('2026-12-01T23:00:00Z'); // 07:00 Shanghai

    it('holds the steward’s notice and the resident’s message until the quiet hours end', async () => {
      const t = setup({ quietHours, now: night });
      await t.service.onTaskCreated(m, { task, documents: [] });
      expect(t.queued.map((q) => [q.template.id, q.notBefore])).toEqual([
        ['steward-new-task', morning],
        ['resident-documents-requested', morning],
      ]);
      expect(t.log.text()).toContain('task messages held for quiet hours');
    });

    it('sends at once when the deadline cannot wait for the morning, or outside quiet hours', async () => {
      const urgent = { ...task, deadline: new Date(morning.getTime() + 3_600_000 - 1) };
      const t = setup({ quietHours, now: night });
      await t.service.onTaskCreated(m, { task: urgent, documents: [] });
      expect(t.queued.map((q) => q.notBefore)).toEqual([undefined, undefined]);
      const day = setup({ quietHours, now: new Date('2026-12-01T06:00:00Z') });
      await day.service.onTaskCreated(m, { task, documents: [] });
      expect(day.queued.map((q) => q.notBefore)).toEqual([undefined, undefined]);
    });

    it('lets the caller’s own hold win', async () => {
      const t = setup({ quietHours, now: night });
      const later = new Date('2026-12-02T01:00:00Z');
      await t.service.onTaskCreated(m, { task, documents: [], notBefore: later });
      expect(t.queued.map((q) => q.notBefore)).toEqual([later, later]);
    });
  });

  it('queues the steward notice on their channel and the resident message in their preferred order', async () => {
    const t = setup();
    const ids = await t.service.onTaskCreated(m, { task, documents: [common.DocumentType.RESIDENT_ID_CARD] });
    expect(ids).toEqual(['msg_1', 'msg_2']);
    const [steward, resident] = t.queued;
    expect(steward).toMatchObject({
      dedupeKey: 'task:ot_1:steward:stf_1',
      recipient: { role: 'steward', id: 'stf_1' },
      template: { id: 'steward-new-task', version: 1 },
      language: 'en',
      channelPlan: ['wecom', 'web_push'],
      variables: {
        taskId: 'ot_1',
        taskKind: 'documents_requested',
        trackingNumber: 'SF1234567890',
        deadline: '2026-12-03T06:00:00.000Z',
      },
    });
    expect(resident).toMatchObject({
      dedupeKey: 'task:ot_1:resident:res_1',
      recipient: { role: 'resident', id: 'res_1' },
      template: { id: 'resident-documents-requested', version: 1 },
      language: 'zh',
      channelPlan: ['email', 'sms'],
      variables: { documents: ['resident_id_card'], rejectionReasons: [] },
    });
  });

  it('stores ids and codes only: no name, number, address or link in what is queued', async () => {
    const t = setup();
    await t.service.onTaskCreated(m, { task, documents: [] });
    const stored = JSON.stringify(t.queued);
    for (const value of ['李伟', '王管家', '13912345678', 'li@example.test', 'robot-key-123456'])
      expect(stored).not.toContain(value);
  });

  it('asks for a re-upload with the rejection reasons by name', async () => {
    const t = setup();
    await t.service.onTaskCreated(m, {
      task: { ...task, kind: 'reupload_requested', round: 2 },
      documents: [common.DocumentType.RESIDENT_ID_CARD],
      rejectionReasons: [
        common.DocumentRejectionReason.UNREADABLE,
        common.DocumentRejectionReason.NAME_MISMATCH,
      ],
    });
    expect(t.queued[1]).toMatchObject({
      template: { id: 'resident-reupload-requested' },
      variables: { rejectionReasons: ['unreadable', 'name_mismatch'] },
    });
  });

  it('sends the resident nothing when the property keeps outreach to stewards', async () => {
    const t = setup();
    t.contacts.properties.set('prop_a', {
      ...t.contacts.properties.get('prop_a')!,
      residentOutreach: 'steward_only',
    });
    await t.service.onTaskCreated(m, { task, documents: [] });
    expect(t.queued.map((q) => q.recipient.role)).toEqual(['steward']);
  });

  it('sends the resident nothing without consent, and nothing without id-vault configured', async () => {
    const t = setup();
    t.contacts.residents.set('res_1', {
      ...t.contacts.residents.get('res_1')!,
      consent: { sms: false, email: false, wecom: true },
    });
    expect(await t.service.onTaskCreated(m, { task, documents: [] })).toEqual(['msg_1']);
    expect(t.log.text()).toContain('resident has no consented channel');
    const noVault = setup({ uploadLinks: new NoUploadLinks() });
    await noVault.service.onTaskCreated(m, { task, documents: [] });
    expect(noVault.queued.map((q) => q.recipient.role)).toEqual(['steward']);
  });

  it('warns when the steward has no enabled channel, and queues nothing for a task without steward', async () => {
    const t = setup({ enabled: ['email'] });
    await t.service.onTaskCreated(m, { task, documents: [] });
    expect(t.log.text()).toContain('steward has no enabled channel');
    expect(t.log.text()).not.toContain('robot-key-123456');
    const none = setup();
    await none.service.onTaskCreated(m, {
      task: { ...task, stewardId: null, kind: 'unmatched_parcel', residentId: null },
      documents: [],
    });
    expect(none.queued).toEqual([]);
  });

  it('passes the quiet-hours hook through as the not-before time', async () => {
    const t = setup();
    const notBefore = new Date('2026-12-01T23:00:00Z');
    await t.service.onTaskCreated(m, { task, documents: [], notBefore });
    expect(t.queued.every((q) => q.notBefore === notBefore)).toBe(true);
  });
});
