import { normaliseSearchText, type MessageView } from '@portico/contracts';
import { personMaySee, refusal, SimulatedUpstream, UNAUTHENTICATED, type SimulatedAnswer, type SimulatedRequest } from './simulated-upstream';

/** A task as notification's GET /v1/outreach/tasks answers it (the fields the console uses). */
export interface SimulatedTask {
  id: string;
  tenantId: string;
  propertyId: string;
  caseId: string;
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
  kind: string;
  state: 'open' | 'acknowledged' | 'closed';
  expedited: boolean;
  escalationLevel: string;
  deadline: string | null;
  createdAt: string;
  closedAt: string | null;
  stewardId: string | null;
  stewardName?: string;
  residentName: string;
  /** The resident's unit (notification's directory); the task list does not answer it, the search does. */
  unitLabel?: string;
  script: { text: string; zh: string; en: string; language: string; templateRef: string };
}

interface RecordedAction {
  taskId: string;
  action: 'acknowledged' | 'contacted';
  subject: string;
  channel: string | null;
  idempotencyKey: string | undefined;
  at: string;
}

const CHANNELS = ['phone_call', 'chat', 'in_person', 'sms', 'email', 'wecom', 'dingtalk'];

/**
 * SIMULATED notification API for the console's browser test — not the real service. It answers
 * the outreach task list (by state, property, case, parcel), acknowledge, contacted and actions,
 * the message history by parcel and the task search (tracking number, unit, resident name, in the
 * caller's properties, compared with libs/contracts' normaliseSearchText as the real SQL does) the
 * way services/notification/README.md and its controllers document them, and checks the console's
 * bearer token and property scope as notification would, so a console that forgot the token or
 * leaked another property fails.
 */
export class SimulatedNotification extends SimulatedUpstream {
  readonly tasks = new Map<string, SimulatedTask>();
  readonly actions: RecordedAction[] = [];
  readonly messages: MessageView[] = [];
  /** The bodies of task searches as they arrived (the text must travel here, never in a URL). */
  readonly searches: unknown[] = [];

  get acknowledgements(): RecordedAction[] {
    return this.actions.filter((a) => a.action === 'acknowledged');
  }

  protected route({ method, url, headers, body, caller }: SimulatedRequest): SimulatedAnswer {
    if (!caller) return UNAUTHENTICATED;
    const visible = (t: SimulatedTask) => personMaySee(caller, t) && t.tenantId === caller.tenantId;
    if (method === 'GET' && url.pathname === '/v1/outreach/tasks') {
      const q = url.searchParams;
      if (!['parcelId', 'caseId', 'state', 'propertyId'].some((k) => q.get(k)))
        return refusal(400, 'validation_failed', 'give at least one of parcelId, caseId, state or propertyId', '参数不足');
      if (q.get('propertyId') && !caller.propertyIds.includes(q.get('propertyId')!))
        return refusal(403, 'tenant_mismatch', 'Not your property.', '无权访问该物业。');
      const items = [...this.tasks.values()].filter(
        (t) =>
          visible(t) &&
          (!q.get('state') || t.state === q.get('state')) &&
          (!q.get('propertyId') || t.propertyId === q.get('propertyId')) &&
          (!q.get('caseId') || t.caseId === q.get('caseId')) &&
          (!q.get('parcelId') || t.parcelId === q.get('parcelId')),
      );
      return { status: 200, body: { items } };
    }
    if (method === 'GET' && url.pathname === '/v1/outreach/messages') {
      const q = url.searchParams;
      if (!['parcelId', 'caseId', 'taskId'].some((k) => q.get(k)))
        return refusal(400, 'validation_failed', 'give at least one of parcelId, caseId or taskId', '参数不足');
      const items = this.messages.filter(
        (msg) =>
          personMaySee(caller, msg) &&
          msg.tenantId === caller.tenantId &&
          (!q.get('parcelId') || msg.parcelId === q.get('parcelId')) &&
          (!q.get('caseId') || msg.caseId === q.get('caseId')) &&
          (!q.get('taskId') || msg.taskId === q.get('taskId')),
      );
      return { status: 200, body: { items } };
    }
    if (method === 'POST' && url.pathname === '/v1/outreach/tasks/search') return this.search(caller, body);
    const m = /^\/v1\/outreach\/tasks\/([^/]+)\/(acknowledge|contacted|actions)$/.exec(url.pathname);
    const task = m ? this.tasks.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !task || !visible(task)) return refusal(404, 'task_not_found', 'Task not found.', '任务不存在。');
    if (m[2] === 'actions') {
      const items = this.actions
        .filter((a) => a.taskId === task.id)
        .map((a, i) => ({ id: `act_${i}`, action: a.action, actorId: a.subject, channel: a.channel, fromUserId: null, toUserId: null, level: 'steward', reason: null, occurredAt: a.at }));
      return { status: 200, body: { items } };
    }
    if (task.state === 'closed') return refusal(409, 'task_closed', 'The task is closed.', '任务已关闭。');
    const channel = m[2] === 'contacted' ? (body as { channel?: unknown } | undefined)?.channel : null;
    if (m[2] === 'contacted' && (typeof channel !== 'string' || !CHANNELS.includes(channel)))
      return refusal(400, 'validation_failed', 'channel is not one of the contact channels', '联系渠道无效');
    const key = headers['idempotency-key'];
    const action: RecordedAction = {
      taskId: task.id,
      action: m[2] === 'contacted' ? 'contacted' : 'acknowledged',
      subject: caller.subject,
      channel: typeof channel === 'string' ? channel : null,
      idempotencyKey: typeof key === 'string' ? key : undefined,
      at: new Date().toISOString(),
    };
    this.actions.push(action);
    task.state = 'acknowledged';
    return { status: 200, body: { task: { id: task.id, state: task.state }, action: { id: `act_${this.actions.length}`, action: action.action } } };
  }

  private search(caller: NonNullable<SimulatedRequest['caller']>, body: unknown): SimulatedAnswer {
    this.searches.push(body);
    const b = (body ?? {}) as { text?: unknown; propertyId?: string; stewardId?: string };
    const needle = typeof b.text === 'string' ? normaliseSearchText(b.text) : '';
    if (needle.length < 2) return refusal(400, 'validation_failed', 'text: at least 2 letters or digits', '搜索内容至少 2 个字母或数字');
    if (b.propertyId && !caller.propertyIds.includes(b.propertyId)) return refusal(403, 'tenant_mismatch', 'Not your property.', '无权访问该物业。');
    const own = (t: SimulatedTask) => caller.tenantId === t.tenantId && caller.propertyIds.includes(t.propertyId);
    const items = [...this.tasks.values()]
      .filter((t) => personMaySee(caller, t) && t.tenantId === caller.tenantId)
      .filter((t) => (!b.propertyId || t.propertyId === b.propertyId) && (!b.stewardId || t.stewardId === b.stewardId))
      .map((t) => {
        const matched = [
          ...(normaliseSearchText(t.trackingNumber).includes(needle) ? ['tracking_number'] : []),
          ...(own(t) && t.unitLabel && normaliseSearchText(t.unitLabel).includes(needle) ? ['unit'] : []),
          ...(own(t) && normaliseSearchText(t.residentName).includes(needle) ? ['resident'] : []),
        ];
        return { ...t, matched };
      })
      .filter((t) => t.matched.length > 0);
    const stewards = new Map<string, string | null>();
    for (const t of this.tasks.values()) if (t.stewardId && own(t)) stewards.set(t.stewardId, t.stewardName ?? null);
    return { status: 200, body: { items, stewards: [...stewards].map(([id, name]) => ({ id, name })) } };
  }
}
