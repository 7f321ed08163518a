import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { ChannelRegistry } from '../channels/channel-registry';
import type { ChannelKind } from '../channels/channel';
import type { NotificationConfig } from '../config';
import type { ParcelIdentity } from '../outreach/outreach-events';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';
import { ContactBook, type PropertyOutreachPolicy, type ResidentContact } from './contact-book';
import {
  NoResidentMessageError,
  ResidentChannelUnavailableError,
  ResidentOutreachNotAllowedError,
  ResidentRateLimitedError,
} from './follow-up-errors';
import {
  REUPLOAD_ADVICE,
  resendPlan,
  residentMayReceiveAt,
  residentNoticeNotBefore,
  type ReuploadReason,
} from './follow-up-rules';
import type { MessageVariables } from './message';
import { MessageOutbox, type EnqueueItem } from './message-outbox';
import {
  reachabilityOf,
  residentPlan,
  staffPlan,
  type RateLimits,
  type ResidentChannel,
} from './message-rules';
import { MessagesMetrics, type FollowUpKind } from './messages.metrics';
import { MessagesRepository } from './messages.repository';
import {
  RESIDENT_CASE_CLEARED,
  RESIDENT_CASE_CANCELLED,
  RESIDENT_CASE_EXPIRED,
  RESIDENT_DEADLINE_REMINDER,
  RESIDENT_DOCUMENTS_REQUESTED,
  RESIDENT_HOLD_PREDICTED,
  RESIDENT_REUPLOAD_REQUESTED,
  RESIDENT_RETURNED_TO_SENDER,
  STAFF_TASK_ESCALATED,
  STEWARD_CONSENT_WITHDRAWN,
  STEWARD_REUPLOAD_REQUEST,
  type MessageTemplate,
} from './templates';
import { NoUploadLinks, UploadLinkIssuer } from './upload-links';

/** How a case ended without clearing; each end is its own notice (dedupe key `case:<case>:<end>`). */
export type CaseEnd = 'expired' | 'returned_to_sender' | 'cancelled';

const CASE_ENDS: Readonly<Record<CaseEnd, { kind: FollowUpKind; template: MessageTemplate }>> = {
  expired: { kind: 'case_expired', template: RESIDENT_CASE_EXPIRED },
  returned_to_sender: { kind: 'case_returned', template: RESIDENT_RETURNED_TO_SENDER },
  cancelled: { kind: 'case_cancelled', template: RESIDENT_CASE_CANCELLED },
};

/** The task a follow-up is about (ids and times only). */
export interface FollowUpTask {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly caseId: string | null;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly kind: string;
  readonly residentId: string | null;
  readonly deadline: Date | null;
  readonly expedited: boolean;
}

/** What a steward's follow-up queued: the message and the channel it goes on first. */
export interface QueuedFollowUp {
  readonly messageId: string;
  readonly channel: ChannelKind;
}

/** Templates whose message carries the upload link a resend repeats. */
const LINK_MESSAGES = [
  RESIDENT_DOCUMENTS_REQUESTED.id,
  RESIDENT_REUPLOAD_REQUESTED.id,
  STEWARD_REUPLOAD_REQUEST.id,
  RESIDENT_DEADLINE_REMINDER.id,
];

/**
 * Messages beyond the first one a task causes, all queued in the caller's transaction through
 * MessageOutbox: the steward's resend and re-upload request (checked synchronously, so the steward
 * hears at once when the resident cannot or may not be messaged), the escalation notices to the
 * manager and operations, and the resident's reminder, hold-predicted and case-cleared notices.
 * Resident messages only where the property's policy is `direct`, on consented channels.
 */
@Injectable()
export class FollowUpMessages {
  private readonly log: Logger;
  private readonly residentLimits: RateLimits;

  constructor(
    private readonly outbox: MessageOutbox,
    private readonly repo: MessagesRepository,
    private readonly contacts: ContactBook,
    private readonly channels: ChannelRegistry,
    private readonly uploadLinks: UploadLinkIssuer,
    private readonly metrics: MessagesMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_CONFIG)
    private readonly config: Pick<
      NotificationConfig,
      'messageRateLimitPerHour' | 'messageRateLimitPerDay' | 'operationsContact' | 'operationsLanguage'
    >,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'messages' });
    this.residentLimits = { perHour: config.messageRateLimitPerHour, perDay: config.messageRateLimitPerDay };
  }

  /**
   * The resident's message for the task again: the same template, version and variables as the
   * last one sent for it, with a fresh secret of the same vault request (or a new request when
   * that one was used or superseded; see MessageWorker.issueLink).
   *
   * @throws ResidentOutreachNotAllowedError, NoResidentMessageError, ResidentChannelUnavailableError,
   *   ResidentRateLimitedError
   */
  resend(
    m: EntityManager,
    task: FollowUpTask,
    channel: ResidentChannel | null,
    dedupe: string,
  ): Promise<QueuedFollowUp> {
    return this.stewardRequest('resend', () => this.queueResend(m, task, channel, dedupe));
  }

  private async queueResend(
    m: EntityManager,
    task: FollowUpTask,
    channel: ResidentChannel | null,
    dedupe: string,
  ): Promise<QueuedFollowUp> {
    const { resident } = await this.directResident(m, task);
    const original = await this.repo.latestResidentMessageOfTask(m, task.id, LINK_MESSAGES);
    if (!original) throw new NoResidentMessageError(task.id);
    const plan = this.planFor(resident, channel);
    await this.assertMayReceive(m, resident.id);
    const template = { id: original.templateId, version: original.templateVersion };
    const linkKey =
      typeof original.variables['linkKey'] === 'string' ? original.variables['linkKey'] : original.id;
    const messageId = await this.queue(m, task, resident, {
      dedupeKey: `task:${task.id}:resend:${dedupe}`,
      template,
      variables: { ...original.variables, linkKey },
      language: original.language,
      plan,
    });
    return { messageId, channel: plan[0]! };
  }

  /**
   * The steward's request for new photos: the precise advice for the reason, the steward's note
   * (its own column, never logged) and a new vault request (the message's own id as the key),
   * which supersedes the previous link.
   */
  requestReupload(
    m: EntityManager,
    task: FollowUpTask,
    request: { reason: ReuploadReason; note: string | null },
    dedupe: string,
  ): Promise<QueuedFollowUp> {
    return this.stewardRequest('reupload_request', () => this.queueReupload(m, task, request, dedupe));
  }

  private async queueReupload(
    m: EntityManager,
    task: FollowUpTask,
    request: { reason: ReuploadReason; note: string | null },
    dedupe: string,
  ): Promise<QueuedFollowUp> {
    const { resident, property } = await this.directResident(m, task);
    const plan = this.planFor(resident, null);
    await this.assertMayReceive(m, resident.id);
    const original = await this.repo.latestResidentMessageOfTask(m, task.id, LINK_MESSAGES);
    const messageId = await this.queue(m, task, resident, {
      dedupeKey: `task:${task.id}:reupload:${dedupe}`,
      template: STEWARD_REUPLOAD_REQUEST,
      variables: {
        ...this.documentFacts(task, original?.variables),
        rejectionReasons: [REUPLOAD_ADVICE[request.reason]],
        reuploadReason: request.reason,
      },
      language: resident.language ?? property.defaultLanguage,
      plan,
      stewardNote: request.note,
    });
    return { messageId, channel: plan[0]! };
  }

  /**
   * Clearance's reminder before the deadline (ResidentReminderDue), one per case, round and lead
   * time. Held for quiet hours unless the deadline cannot wait; nothing when the resident may not
   * or cannot be messaged (the steward's task already covers them).
   */
  async reminder(
    m: EntityManager,
    task: FollowUpTask & { readonly round: number },
    leadSeconds: number,
  ): Promise<string | null> {
    const reach = await this.reachableResident(m, task, true);
    if (!reach) return this.counted('reminder', null, false);
    const original = await this.repo.latestResidentMessageOfTask(m, task.id, LINK_MESSAGES);
    const linkKey =
      typeof original?.variables['linkKey'] === 'string' ? original.variables['linkKey'] : original?.id;
    const id = await this.outbox.enqueue(m, {
      ...this.base(task),
      dedupeKey: `case:${task.caseId}:reminder:${task.round}:${leadSeconds}`,
      recipient: { role: 'resident', id: reach.resident.id },
      template: RESIDENT_DEADLINE_REMINDER,
      language: reach.resident.language,
      variables: { ...this.documentFacts(task, original?.variables), ...(linkKey ? { linkKey } : {}) },
      channelPlan: reach.plan,
      notBefore: this.quietUntil(reach.property, task.deadline),
    });
    return this.counted('reminder', id, true);
  }

  /** The case cleared: one closing notice per case, after quiet hours. Not tied to the (closing) task. */
  async caseCleared(m: EntityManager, task: FollowUpTask, trigger: string): Promise<string | null> {
    const reach = await this.reachableResident(m, task, false);
    if (!reach) return this.counted('case_cleared', null, false);
    const id = await this.outbox.enqueue(m, {
      ...this.base(task),
      taskId: null,
      dedupeKey: `case:${task.caseId}:cleared`,
      recipient: { role: 'resident', id: reach.resident.id },
      template: RESIDENT_CASE_CLEARED,
      language: reach.resident.language,
      variables: { carrierCode: task.carrierCode, trackingNumber: task.trackingNumber, trigger },
      channelPlan: reach.plan,
      notBefore: this.quietUntil(reach.property, null),
    });
    return this.counted('case_cleared', id, true);
  }

  /**
   * The case ended without clearing: the customs deadline passed (CaseExpired) or the parcel goes
   * back to the sender (CaseReturnedToSender), or the case was cancelled (CaseCancelled). One notice
   * per case and end (a case may expire and then be returned: both are news), after quiet hours,
   * tied to no task (the task closed just before, and must not cancel it).
   */
  async caseEnded(m: EntityManager, task: FollowUpTask, end: CaseEnd): Promise<string | null> {
    const { kind, template } = CASE_ENDS[end];
    const reach = await this.reachableResident(m, task, false);
    if (!reach) return this.counted(kind, null, false);
    const id = await this.outbox.enqueue(m, {
      ...this.base(task),
      taskId: null,
      dedupeKey: `case:${task.caseId}:${end}`,
      recipient: { role: 'resident', id: reach.resident.id },
      template,
      language: reach.resident.language,
      variables: { carrierCode: task.carrierCode, trackingNumber: task.trackingNumber },
      channelPlan: reach.plan,
      notBefore: this.quietUntil(reach.property, null),
    });
    return this.counted(kind, id, true);
  }

  /**
   * The resident of an active task withdrew consent on `channels`: the task's assignee (steward or
   * manager; nobody at operations, whose shared queue has no channel per task) is told at once on
   * their channel, so they contact the resident another way. One notice per task and withdrawal.
   */
  async consentWithdrawn(
    m: EntityManager,
    task: FollowUpTask & {
      readonly assigneeId: string | null;
      readonly assigneeRole: 'steward' | 'manager' | null;
    },
    channels: readonly string[],
    at: Date,
  ): Promise<string | null> {
    if (!task.assigneeId || !task.assigneeRole) return this.counted('consent_withdrawn', null, false);
    const staff = await this.contacts.staff(m, task.assigneeId);
    const plan = staff ? staffPlan(staff.channel, (k) => this.channels.enabled(k)) : [];
    const id = await this.outbox.enqueue(m, {
      ...this.base(task),
      dedupeKey: `task:${task.id}:consent-withdrawn:${at.getTime()}`,
      recipient: { role: task.assigneeRole, id: task.assigneeId },
      template: STEWARD_CONSENT_WITHDRAWN,
      language: staff?.language ?? 'zh',
      variables: {
        taskId: task.id,
        taskKind: task.kind,
        carrierCode: task.carrierCode,
        trackingNumber: task.trackingNumber,
        deadline: task.deadline?.toISOString() ?? null,
        channels: [...channels],
      },
      channelPlan: plan,
    });
    return this.counted('consent_withdrawn', id, plan.length > 0);
  }

  /** A documents hold is predicted for a parcel in transit: one heads-up per parcel, after quiet hours. */
  async holdPredicted(m: EntityManager, input: HoldPredictedInput): Promise<string | null> {
    const [id] = await this.holdPredictedMany(m, [input]);
    return id ?? null;
  }

  /**
   * holdPredicted for a batch handler's run: the residents' reachability is checked per input (in
   * its own trace), and every heads-up of the run is queued with ONE insert (MessageOutbox.enqueueMany).
   * @returns per input, in order, the queued message id or null.
   */
  async holdPredictedMany(
    m: EntityManager,
    inputs: readonly HoldPredictedInput[],
  ): Promise<Array<string | null>> {
    const items: Array<EnqueueItem | null> = [];
    for (const input of inputs) {
      const run = input.inTrace ?? ((work) => work());
      const reach = await run(() =>
        this.reachableResident(m, { propertyId: input.propertyId, residentId: input.residentId }, false),
      );
      items.push(
        reach && {
          inTrace: input.inTrace,
          request: {
            tenantId: input.tenantId,
            propertyId: input.propertyId,
            taskId: null,
            caseId: null,
            parcel: input.parcel,
            dedupeKey: `parcel:${input.parcel.parcelId}:hold-predicted`,
            recipient: { role: 'resident', id: reach.resident.id },
            template: RESIDENT_HOLD_PREDICTED,
            language: reach.resident.language,
            variables: {
              carrierCode: input.parcel.carrierCode,
              trackingNumber: input.parcel.trackingNumber,
              documents: [...input.documents],
            },
            channelPlan: reach.plan,
            notBefore: this.quietUntil(reach.property, null),
          },
        },
      );
    }
    const reached = items.filter((i): i is EnqueueItem => i !== null);
    const queued = reached.length > 0 ? await this.outbox.enqueueMany(m, reached) : [];
    let next = 0;
    return items.map((item) =>
      this.counted('hold_predicted', item ? (queued[next++] ?? null) : null, !!item),
    );
  }

  /**
   * The notice to the rung a task escalated to: the manager on their directory channel (then web
   * push), operations on OPERATIONS_CONTACT. One per task, level and escalation time. The
   * escalation itself already waited for quiet hours unless the deadline could not wait, so the
   * notice goes at once. `unreachable` when the rung has no channel (the caller fails over).
   */
  async escalationNotice(
    m: EntityManager,
    task: FollowUpTask,
    e: {
      readonly level: 'manager' | 'operations';
      readonly assigneeId: string | null;
      readonly reason: string;
      readonly quietHoursOverridden: boolean;
      readonly at: Date;
    },
  ): Promise<{ messageId: string | null; unreachable: boolean }> {
    const enabled = (k: ChannelKind) => this.channels.enabled(k);
    let recipient: { role: 'manager' | 'operations'; id: string };
    let plan: ChannelKind[];
    let language: 'zh' | 'en';
    if (e.level === 'manager' && e.assigneeId) {
      const manager = await this.contacts.staff(m, e.assigneeId);
      plan = manager ? staffPlan(manager.channel, enabled) : [];
      language = manager?.language ?? 'zh';
      recipient = { role: 'manager', id: e.assigneeId };
    } else {
      const ops = this.config.operationsContact;
      plan = ops && enabled(ops.channel) ? [ops.channel] : [];
      language = this.config.operationsLanguage;
      recipient = { role: 'operations', id: 'operations' };
    }
    const id = await this.outbox.enqueue(m, {
      ...this.base(task),
      dedupeKey: `task:${task.id}:escalated:${e.level}:${e.at.getTime()}`,
      recipient,
      template: STAFF_TASK_ESCALATED,
      language,
      variables: {
        taskId: task.id,
        taskKind: task.kind,
        level: e.level,
        reason: e.reason,
        carrierCode: task.carrierCode,
        trackingNumber: task.trackingNumber,
        deadline: task.deadline?.toISOString() ?? null,
        expedited: task.expedited,
        quietHoursOverridden: e.quietHoursOverridden,
      },
      channelPlan: plan,
    });
    this.counted(e.level === 'manager' ? 'escalation_manager' : 'escalation_operations', id, plan.length > 0);
    if (!id && plan.length === 0)
      this.log.warn(
        { taskId: task.id, level: e.level, recipientId: recipient.id },
        'escalation recipient has no enabled channel',
      );
    // Unreachable only where Portico sends notices at all: with every channel off (a deployment
    // that uses the console alone) the ladder runs on its timers.
    return { messageId: id, unreachable: plan.length === 0 && this.channels.enabledKinds().length > 0 };
  }

  private async stewardRequest(
    kind: FollowUpKind,
    run: () => Promise<QueuedFollowUp>,
  ): Promise<QueuedFollowUp> {
    try {
      const queued = await run();
      this.metrics.followUp(kind, 'queued');
      return queued;
    } catch (e) {
      this.metrics.followUp(kind, 'refused');
      throw e;
    }
  }

  /** Counts what became of a notice; returns its id. */
  private counted(kind: FollowUpKind, id: string | null, reached: boolean): string | null {
    this.metrics.followUp(kind, id ? 'queued' : reached ? 'duplicate' : 'not_sent');
    return id;
  }

  /** The message a steward's resend / re-upload action queued (a repeated click answers with it). */
  async messageOfAction(m: EntityManager, taskId: string, actionId: string): Promise<string | null> {
    return (
      (await this.repo.idOfDedupeKey(m, `task:${taskId}:resend:${actionId}`)) ??
      (await this.repo.idOfDedupeKey(m, `task:${taskId}:reupload:${actionId}`))
    );
  }

  private base(task: FollowUpTask) {
    return {
      tenantId: task.tenantId,
      propertyId: task.propertyId,
      taskId: task.id,
      caseId: task.caseId,
      parcel: { parcelId: task.parcelId, carrierCode: task.carrierCode, trackingNumber: task.trackingNumber },
    };
  }

  private documentFacts(task: FollowUpTask, original: MessageVariables | undefined): MessageVariables {
    const documents = original?.['documents'];
    return {
      carrierCode: task.carrierCode,
      trackingNumber: task.trackingNumber,
      documents: Array.isArray(documents) ? documents : [],
      deadline: task.deadline?.toISOString() ?? null,
    };
  }

  private quietUntil(property: PropertyOutreachPolicy, deadline: Date | null): Date | undefined {
    return residentNoticeNotBefore({
      now: this.clock(),
      quietHours: property.quietHours,
      timeZone: property.timeZone,
      deadline,
    });
  }

  /** The resident, the property and their plan, or null when a notice may not or cannot reach them. */
  private async reachableResident(
    m: EntityManager,
    task: { readonly propertyId: string; readonly residentId: string | null },
    needsLink: boolean,
  ): Promise<{ resident: ResidentContact; property: PropertyOutreachPolicy; plan: ChannelKind[] } | null> {
    if (!task.residentId || (needsLink && this.uploadLinks instanceof NoUploadLinks)) return null;
    const property = await this.contacts.property(m, task.propertyId);
    if (property?.residentOutreach !== 'direct') return null;
    const resident = await this.contacts.resident(m, task.residentId);
    if (!resident) return null;
    const plan = residentPlan(reachabilityOf(resident), (k) => this.channels.enabled(k));
    return plan.length > 0 ? { resident, property, plan } : null;
  }

  /** A steward's follow-up: the same gates, but each refusal is an answer the steward sees. */
  private async directResident(
    m: EntityManager,
    task: FollowUpTask,
  ): Promise<{ resident: ResidentContact; property: PropertyOutreachPolicy }> {
    if (this.uploadLinks instanceof NoUploadLinks) throw new ResidentOutreachNotAllowedError(task.id);
    const property = await this.contacts.property(m, task.propertyId);
    if (property?.residentOutreach !== 'direct') throw new ResidentOutreachNotAllowedError(task.id);
    const resident = task.residentId ? await this.contacts.resident(m, task.residentId) : null;
    if (!resident) throw new ResidentChannelUnavailableError(null, []);
    return { resident, property };
  }

  private planFor(resident: ResidentContact, channel: ResidentChannel | null): readonly ChannelKind[] {
    const usable = residentPlan(reachabilityOf(resident), (k) => this.channels.enabled(k));
    const plan = resendPlan(usable, channel);
    if (!plan.ok) throw new ResidentChannelUnavailableError(channel, plan.available);
    return plan.plan;
  }

  private async assertMayReceive(m: EntityManager, residentId: string): Promise<void> {
    const now = this.clock();
    const load = await this.repo.recipientLoad(m, 'resident', residentId, now);
    const until = residentMayReceiveAt(load, now, this.residentLimits);
    if (until) throw new ResidentRateLimitedError(Math.ceil((until.getTime() - now.getTime()) / 1000));
  }

  private async queue(
    m: EntityManager,
    task: FollowUpTask,
    resident: ResidentContact,
    q: {
      dedupeKey: string;
      template: Pick<MessageTemplate, 'id' | 'version'>;
      variables: MessageVariables;
      language: 'zh' | 'en';
      plan: readonly ChannelKind[];
      stewardNote?: string | null;
    },
  ): Promise<string> {
    const id = await this.outbox.enqueue(m, {
      ...this.base(task),
      dedupeKey: q.dedupeKey,
      recipient: { role: 'resident', id: resident.id },
      template: q.template,
      language: q.language,
      variables: q.variables,
      channelPlan: q.plan,
      stewardNote: q.stewardNote ?? null,
    });
    // The action row's idempotency key already stops a repeated click; null = the same key won a race.
    return id ?? ((await this.repo.idOfDedupeKey(m, q.dedupeKey)) as string);
  }
}

/** One HoldPredicted heads-up to queue (the parcel resolved to this resident). */
export interface HoldPredictedInput {
  readonly tenantId: string;
  readonly propertyId: string;
  readonly residentId: string;
  readonly parcel: ParcelIdentity;
  readonly documents: readonly string[];
  /** Runs work in the event's own trace (given by a batch handler). */
  readonly inTrace?: <T>(work: () => Promise<T>) => Promise<T>;
}
