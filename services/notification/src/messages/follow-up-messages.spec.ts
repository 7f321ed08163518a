import type { EntityManager } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import type { ChannelRegistry } from '../channels/channel-registry';
import { memoryLogger } from '../test-support';
import { FollowUpMessages, type FollowUpTask } from './follow-up-messages';
import type { MessageRecord } from './message';
import type { EnqueueRequest, MessageOutbox } from './message-outbox';
import type { MessagesMetrics } from './messages.metrics';
import type { MessagesRepository, RecipientLoad } from './messages.repository';
import { FakeContactBook, UnusedUploadLinks } from './test-support/fake-directory';
import { NoUploadLinks, type UploadLinkIssuer } from './upload-links';

const m = {} as EntityManager;

const NOW = new Date('2026-11-25T06:00:00Z'); // 14:00 Shanghai
const NIGHT = new Date('2026-11-25T15:30:00Z'); // 23:30 Shanghai

const task: FollowUpTask = {
  id: 'ot_1',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'case_1',
  parcelId: 'prc_1',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  kind: 'documents_requested',
  residentId: 'res_1',
  deadline: new Date('2026-11-28T06:00:00Z'),
  expedited: false,
};

const original = {
  id: 'msg_first',
  templateId: 'resident-documents-requested',
  templateVersion: 1,
  language: 'en',
  variables: {
    carrierCode: 'sf-express',
    trackingNumber: 'SF1234567890',
    documents: ['passport'],
    deadline: null,
  },
} as unknown as MessageRecord;

function setup(
  options: {
    now?: Date;
    enabled?: ChannelKind[];
    links?: UploadLinkIssuer;
    load?: RecipientLoad;
    original?: MessageRecord | null;
    operations?: { channel: 'email'; address: string } | null;
  } = {},
) {
  const contacts = new FakeContactBook();
  contacts.properties.set('prop_a', {
    id: 'prop_a',
    name: 'Harbour Tower A',
    timeZone: 'Asia/Shanghai',
    defaultLanguage: 'zh',
    residentOutreach: 'direct',
    quietHours: { start: '22:00', end: '07:00' },
  });
  contacts.residents.set('res_1', {
    id: 'res_1',
    name: '李伟',
    language: 'zh',
    phone: '13912345678',
    email: 'li.wei@example.test',
    wecomUserId: null,
    consent: { sms: true, email: true, wecom: false },
    preferences: ['email', 'sms'],
  });
  contacts.staffMembers.set('stf_mgr', {
    id: 'stf_mgr',
    name: '张经理',
    language: 'en',
    channel: 'dingtalk',
    address: 'token',
  });
  const queued: EnqueueRequest[] = [];
  const enqueue = async (_m: EntityManager, r: EnqueueRequest) => {
    if (r.channelPlan.length === 0 || queued.some((q) => q.dedupeKey === r.dedupeKey)) return null;
    queued.push(r);
    return `msg_${queued.length}`;
  };
  const outbox = {
    enqueue,
    enqueueMany: async (_m: EntityManager, items: ReadonlyArray<{ request: EnqueueRequest }>) => {
      const ids: Array<string | null> = [];
      for (const item of items) ids.push(await enqueue(_m, item.request));
      return ids;
    },
  } as unknown as MessageOutbox;
  const repo = {
    latestResidentMessageOfTask: async () => (options.original === undefined ? original : options.original),
    recipientLoad: async () => options.load ?? { recent: [], queued: 0 },
    idOfDedupeKey: async () => null,
  } as unknown as MessagesRepository;
  const enabled = new Set(options.enabled ?? ['sms', 'email', 'dingtalk', 'web_push']);
  const channels = {
    enabled: (k: ChannelKind) => enabled.has(k),
    enabledKinds: () => [...enabled],
  } as unknown as ChannelRegistry;
  const counted: string[] = [];
  const metrics = {
    followUp: (kind: string, outcome: string) => counted.push(`${kind}:${outcome}`),
  } as unknown as MessagesMetrics;
  const service = new FollowUpMessages(
    outbox,
    repo,
    contacts,
    channels,
    options.links ?? new UnusedUploadLinks(),
    metrics,
    () => options.now ?? NOW,
    {
      messageRateLimitPerHour: 2,
      messageRateLimitPerDay: 10,
      operationsContact:
        options.operations === undefined
          ? { channel: 'email', address: 'ops@example.test' }
          : options.operations,
      operationsLanguage: 'en',
    },
    memoryLogger().logger,
  );
  return { service, queued, contacts, counted };
}

describe('FollowUpMessages', () => {
  it('resends the same template and variables, naming the first message’s vault request', async () => {
    const t = setup();
    const result = await t.service.resend(m, task, 'sms', 'act_1');
    expect(result).toEqual({ messageId: 'msg_1', channel: 'sms' });
    expect(t.queued[0]).toMatchObject({
      dedupeKey: 'task:ot_1:resend:act_1',
      recipient: { role: 'resident', id: 'res_1' },
      template: { id: 'resident-documents-requested', version: 1 },
      language: 'en',
      variables: { ...original.variables, linkKey: 'msg_first' },
      channelPlan: ['sms', 'email'],
    });
    // A steward's click goes now, even at night.
    expect(t.queued[0]!.notBefore).toBeUndefined();
  });

  it('refuses a resend where it may not or cannot reach the resident, with a code for each', async () => {
    await expect(setup({ original: null }).service.resend(m, task, null, 'a')).rejects.toMatchObject({
      code: 'no_resident_message',
      status: 409,
    });
    await expect(
      setup({ links: new NoUploadLinks() }).service.resend(m, task, null, 'a'),
    ).rejects.toMatchObject({
      code: 'resident_outreach_not_allowed',
    });
    const stewardOnly = setup();
    stewardOnly.contacts.properties.set('prop_a', {
      ...stewardOnly.contacts.properties.get('prop_a')!,
      residentOutreach: 'steward_only',
    });
    await expect(stewardOnly.service.resend(m, task, null, 'a')).rejects.toMatchObject({
      code: 'resident_outreach_not_allowed',
    });
    await expect(setup({ enabled: ['email'] }).service.resend(m, task, 'sms', 'a')).rejects.toMatchObject({
      code: 'resident_channel_unavailable',
      details: { channel: 'sms', available: ['email'] },
    });
  });

  it('answers 429 resident_rate_limited with the wait when the resident is at the limit', async () => {
    const t = setup({ load: { recent: [new Date(NOW.getTime() - 30 * 60_000)], queued: 1 } });
    await expect(t.service.resend(m, task, null, 'a')).rejects.toMatchObject({
      code: 'resident_rate_limited',
      status: 429,
      details: { retryAfterSeconds: 1800 },
      localized: { en: expect.any(String), zh: expect.any(String) },
    });
    expect(t.queued).toHaveLength(0);
    expect(t.counted).toEqual(['resend:refused']);
  });

  it('asks for a re-upload with the reason’s advice and the note in its own field, not the variables', async () => {
    const t = setup();
    await t.service.requestReupload(
      m,
      task,
      { reason: 'back_missing', note: 'Please use a dark table' },
      'act_2',
    );
    const q = t.queued[0]!;
    expect(q).toMatchObject({
      dedupeKey: 'task:ot_1:reupload:act_2',
      template: { id: 'steward-reupload-request', version: 1 },
      language: 'zh',
      stewardNote: 'Please use a dark table',
      channelPlan: ['email', 'sms'],
    });
    expect(q.variables).toEqual({
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
      documents: ['passport'],
      deadline: '2026-11-28T06:00:00.000Z',
      rejectionReasons: ['side_missing'],
      reuploadReason: 'back_missing',
    });
    // A new vault request: no linkKey, the message's own id asks.
    expect(JSON.stringify(q.variables)).not.toContain('dark table');
    expect(q.variables['linkKey']).toBeUndefined();
  });

  it('queues one reminder per case, round and lead time, held for quiet hours unless the deadline cannot wait', async () => {
    const t = setup({ now: NIGHT });
    expect(await t.service.reminder(m, { ...task, round: 2 }, 86_400)).toBe('msg_1');
    expect(await t.service.reminder(m, { ...task, round: 2 }, 86_400)).toBeNull();
    expect(t.counted).toEqual(['reminder:queued', 'reminder:duplicate']);
    expect(t.queued[0]).toMatchObject({
      dedupeKey: 'case:case_1:reminder:2:86400',
      template: { id: 'resident-deadline-reminder' },
      variables: { linkKey: 'msg_first', documents: ['passport'] },
      notBefore: new Date('2026-11-25T23:00:00Z'),
    });
    const urgent = { ...task, round: 2, deadline: new Date('2026-11-26T00:00:00Z') }; // 08:00 Shanghai
    await t.service.reminder(m, urgent, 21_600);
    expect(t.queued[1]!.notBefore).toBeUndefined();
  });

  it('sends residents nothing without direct outreach or consent, silently for case notices', async () => {
    const t = setup();
    t.contacts.residents.set('res_1', {
      ...t.contacts.residents.get('res_1')!,
      consent: { sms: false, email: false, wecom: false },
    });
    expect(await t.service.caseCleared(m, task, 'delivered')).toBeNull();
    expect(await t.service.reminder(m, { ...task, round: 1 }, 3600)).toBeNull();
    expect(
      await t.service.holdPredicted(m, {
        tenantId: 'ten_1',
        propertyId: 'prop_a',
        residentId: 'res_1',
        parcel: { parcelId: 'prc_1', carrierCode: 'sf-express', trackingNumber: 'SF1' },
        documents: [],
      }),
    ).toBeNull();
    expect(t.queued).toHaveLength(0);
    expect(t.counted).toEqual(['case_cleared:not_sent', 'reminder:not_sent', 'hold_predicted:not_sent']);
  });

  it('queues the closing notice outside the task (so the task closing does not cancel it) and once per case', async () => {
    const t = setup({ now: NIGHT });
    expect(await t.service.caseCleared(m, task, 'delivered')).toBe('msg_1');
    expect(await t.service.caseCleared(m, task, 'delivered')).toBeNull();
    expect(t.queued[0]).toMatchObject({
      taskId: null,
      dedupeKey: 'case:case_1:cleared',
      template: { id: 'resident-case-cleared' },
      variables: { trigger: 'delivered' },
      notBefore: new Date('2026-11-25T23:00:00Z'),
    });
  });

  it('tells the resident once per case when it expired and when the parcel goes back, after quiet hours', async () => {
    const t = setup({ now: NIGHT });
    expect(await t.service.caseEnded(m, task, 'expired')).toBe('msg_1');
    expect(await t.service.caseEnded(m, task, 'expired')).toBeNull();
    expect(await t.service.caseEnded(m, task, 'returned_to_sender')).toBe('msg_2');
    expect(await t.service.caseEnded(m, task, 'cancelled')).toBe('msg_3');
    expect(await t.service.caseEnded(m, task, 'cancelled')).toBeNull();
    expect(t.queued.map((q) => [q.taskId, q.dedupeKey, q.template.id, q.notBefore])).toEqual([
      [null, 'case:case_1:expired', 'resident-case-expired', new Date('2026-11-25T23:00:00Z')],
      [
        null,
        'case:case_1:returned_to_sender',
        'resident-returned-to-sender',
        new Date('2026-11-25T23:00:00Z'),
      ],
      [null, 'case:case_1:cancelled', 'resident-case-cancelled', new Date('2026-11-25T23:00:00Z')],
    ]);
    expect(t.queued[0]!.variables).toEqual({ carrierCode: 'sf-express', trackingNumber: 'SF1234567890' });
    expect(t.counted).toEqual([
      'case_expired:queued',
      'case_expired:duplicate',
      'case_returned:queued',
      'case_cancelled:queued',
      'case_cancelled:duplicate',
    ]);
    // A steward-only property hears nothing from Portico (the steward's task closed with the case).
    const quiet = setup();
    quiet.contacts.properties.set('prop_a', {
      ...quiet.contacts.properties.get('prop_a')!,
      residentOutreach: 'steward_only',
    });
    expect(await quiet.service.caseEnded(m, task, 'expired')).toBeNull();
  });

  it('tells the task’s assignee at once when the resident withdrew consent, never operations', async () => {
    const t = setup({ now: NIGHT });
    const at = new Date('2026-11-25T15:31:00Z');
    const withdrawn = { ...task, assigneeId: 'stf_mgr', assigneeRole: 'manager' as const };
    expect(await t.service.consentWithdrawn(m, withdrawn, ['sms'], at)).toBe('msg_1');
    expect(t.queued[0]).toMatchObject({
      taskId: 'ot_1',
      dedupeKey: `task:ot_1:consent-withdrawn:${at.getTime()}`,
      recipient: { role: 'manager', id: 'stf_mgr' },
      template: { id: 'steward-consent-withdrawn' },
      channelPlan: ['dingtalk', 'web_push'],
      language: 'en',
      variables: { taskId: 'ot_1', channels: ['sms'], deadline: '2026-11-28T06:00:00.000Z' },
    });
    // Not held for the night: the steward has to change how they reach the resident now.
    expect(t.queued[0]!.notBefore).toBeUndefined();
    expect(
      await t.service.consentWithdrawn(m, { ...task, assigneeId: null, assigneeRole: null }, ['sms'], at),
    ).toBeNull();
    expect(t.counted).toEqual(['consent_withdrawn:queued', 'consent_withdrawn:not_sent']);
  });

  it('tells the manager on their channel, operations on the configured inbox, and nobody without a channel', async () => {
    const t = setup();
    const at = new Date('2026-11-25T06:00:00Z');
    const e = { reason: 'ack_sla_breached', quietHoursOverridden: false, at };
    await t.service.escalationNotice(m, { ...task }, { ...e, level: 'manager', assigneeId: 'stf_mgr' });
    await t.service.escalationNotice(m, { ...task }, { ...e, level: 'operations', assigneeId: null });
    expect(t.queued.map((q) => [q.recipient, q.channelPlan, q.language, q.template.id])).toEqual([
      [{ role: 'manager', id: 'stf_mgr' }, ['dingtalk', 'web_push'], 'en', 'staff-task-escalated'],
      [{ role: 'operations', id: 'operations' }, ['email'], 'en', 'staff-task-escalated'],
    ]);
    expect(t.queued[0]!.dedupeKey).toBe(`task:ot_1:escalated:manager:${at.getTime()}`);
    const none = setup({ operations: null });
    expect(
      await none.service.escalationNotice(m, task, { ...e, level: 'operations', assigneeId: null }),
    ).toEqual({ messageId: null, unreachable: true });
    // With every channel off Portico sends no notices at all: nobody is "unreachable".
    const off = setup({ enabled: [] });
    expect(
      await off.service.escalationNotice(m, task, { ...e, level: 'manager', assigneeId: 'stf_mgr' }),
    ).toEqual({ messageId: null, unreachable: false });
  });
});
