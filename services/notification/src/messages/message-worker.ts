import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OutboxWriter } from '@portico/messaging';
import { storedTraceContext, type Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { ChannelRegistry } from '../channels/channel-registry';
import type { ChannelKind, OutgoingMessage, SendResult } from '../channels/channel';
import type { NotificationConfig } from '../config';
import type { OutreachEvent } from '@portico/contracts';
import { toOutbox } from '../outreach/outreach-events';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';
import { ContactBook } from './contact-book';
import { recipientKey, templateRefOf, type MessageRecord } from './message';
import { messageDelivered, messageFailed, messageSent } from './message-events';
import { MessageHooks } from './message-hooks';
import {
  afterFailure,
  rateLimitedUntil,
  residentConsentOf,
  smsNumber,
  type AttemptFailure,
  type RateLimits,
} from './message-rules';
import { MessagesMetrics } from './messages.metrics';
import { MessagesRepository } from './messages.repository';
import {
  channelCarriesNote,
  keepNoteAfterFailure,
  keepNoteAfterSend,
  NOTE_KEPT_AFTER_SEND_MS,
  NOTE_SWEEP_INTERVAL_MS,
} from './steward-note';
import { contentFor, MESSAGE_TEMPLATES, STEWARD_REUPLOAD_REQUEST, type SendTimeFacts } from './templates';
import { UploadLinkIssuer } from './upload-links';

type Prepared =
  { readonly ok: true; readonly outgoing: OutgoingMessage } | ({ readonly ok: false } & AttemptFailure);

/** Staff notices are how work reaches people: limited far more loosely than messages to residents. */
const STAFF_LIMITS: RateLimits = { perHour: 60, perDay: 500 };
/** Operations is one shared inbox for every tenant's escalations. */
const OPERATIONS_LIMITS: RateLimits = { perHour: 600, perDay: 5_000 };

/**
 * Sends the queue. Each poll claims due messages in a short transaction (FOR UPDATE SKIP LOCKED,
 * per-recipient rate limit, a lease and an in-flight attempt row), then, outside any transaction,
 * reads the address from the directory, asks id-vault for the upload link when the template needs
 * one, renders and calls the channel; a second short transaction records the outcome with its
 * MessageSent / MessageDelivered / MessageFailed events (outbox). A worker that dies mid-send
 * leaves a lease that runs out: the message is sent again (at least once; SMTP and SMS have no
 * idempotency key to stop a duplicate).
 */
@Injectable()
export class MessageWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly tracer = trace.getTracer('@portico/notification-messages');
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastNoteSweep: Date | null = null;
  private readonly residentLimits: RateLimits;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: MessagesRepository,
    private readonly contacts: ContactBook,
    private readonly channels: ChannelRegistry,
    private readonly uploadLinks: UploadLinkIssuer,
    private readonly outbox: OutboxWriter,
    private readonly metrics: MessagesMetrics,
    private readonly hooks: MessageHooks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'messages' });
    this.residentLimits = { perHour: config.messageRateLimitPerHour, perDay: config.messageRateLimitPerDay };
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the sends in flight (bounded by CHANNEL_TIMEOUT_MS) and records them; claims nothing more. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.pollOnce();
        await this.sweepNotesIfDue();
      } catch (e) {
        this.log.error({ err: { name: (e as Error).name } }, 'message poll failed');
      }
      if (!this.running) break;
      if (claimed < this.config.messageWorkerBatchSize) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.config.messageWorkerPollIntervalMs);
        });
      }
    }
  }

  /**
   * Drops the steward's notes kept on sent messages for a late failover, and on failed ones for a
   * re-drive, once none can happen (`forgetSpentNotes`), at most every NOTE_SWEEP_INTERVAL_MS.
   * Logs a count only.
   */
  async sweepNotesIfDue(): Promise<number> {
    const now = this.clock();
    if (this.lastNoteSweep && now.getTime() - this.lastNoteSweep.getTime() < NOTE_SWEEP_INTERVAL_MS) return 0;
    this.lastNoteSweep = now;
    const dropped = await this.dataSource.transaction((m) =>
      this.repo.forgetSpentNotes(m, now, {
        afterSendMs: NOTE_KEPT_AFTER_SEND_MS,
        afterFailureMs: this.config.messageRedriveNoteKeepMs,
      }),
    );
    if (dropped > 0)
      this.log.info({ dropped }, 'steward notes dropped: no failover or re-drive can use them any more');
    return dropped;
  }

  /** One claim-send-record round; returns how many messages it sent (or tried to). */
  async pollOnce(): Promise<number> {
    const claimed = await this.dataSource.transaction((m) => this.claim(m));
    await Promise.all(claimed.map((msg) => this.attempt(msg)));
    return claimed.length;
  }

  private async claim(m: EntityManager): Promise<MessageRecord[]> {
    const now = this.clock();
    const due = await this.repo.lockDue(m, now, this.config.messageWorkerBatchSize);
    const claimed: MessageRecord[] = [];
    for (const { message, taskState } of due) {
      const channel = message.channelPlan[message.channelIndex]!;
      if (message.status === 'sending') {
        await this.repo.abandonInFlight(m, message.id, now);
        this.log.warn(
          { messageId: message.id, attempt: message.attempt, channel },
          'send lease expired; taking the message over',
        );
      }
      if (taskState === 'closed') {
        await this.repo.cancel(m, message.id, now);
        this.metrics.outcome(channel, 'cancelled');
        this.log.info(
          { messageId: message.id, taskId: message.taskId },
          'message cancelled: its task closed',
        );
        continue;
      }
      const key = recipientKey(message);
      if (!(await this.repo.tryLockRecipient(m, key))) continue;
      const limits =
        message.recipientRole === 'resident'
          ? this.residentLimits
          : message.recipientRole === 'operations'
            ? OPERATIONS_LIMITS
            : STAFF_LIMITS;
      const until = rateLimitedUntil(await this.repo.recentDeliveries(m, key, now), now, limits);
      if (until) {
        await this.repo.postpone(m, message.id, until, 'RATE_LIMITED');
        this.metrics.limited(message.recipientRole);
        this.log.info(
          {
            messageId: message.id,
            recipientRole: message.recipientRole,
            recipientId: message.recipientId,
            until,
          },
          'message waits: recipient rate limit',
        );
        continue;
      }
      const lease = new Date(now.getTime() + this.config.messageSendLeaseMs);
      claimed.push(await this.repo.startAttempt(m, message, channel, key, now, lease));
    }
    return claimed;
  }

  private attempt(msg: MessageRecord): Promise<void> {
    const channel = msg.channelPlan[msg.channelIndex]!;
    // The attempt continues the trace of the case event that queued the message (not the poll's).
    const parent = storedTraceContext(msg);
    return this.tracer.startActiveSpan(
      `message send ${channel}`,
      {
        attributes: {
          'portico.message_id': msg.id,
          'portico.parcel_id': msg.parcelId,
          'portico.channel': channel,
          'portico.template_ref': templateRefOf(msg),
          'portico.attempt': msg.attempt,
          'portico.recipient_role': msg.recipientRole,
        },
      },
      parent,
      async (span) => {
        try {
          const prepared = await this.prepare(msg, channel);
          let result: SendResult | AttemptFailure;
          if (prepared.ok) {
            const started = process.hrtime.bigint();
            result = await this.channels.send(prepared.outgoing);
            this.metrics.sendDuration(channel, Number(process.hrtime.bigint() - started) / 1e9);
          } else {
            result = prepared;
          }
          await this.record(msg, channel, result, span);
        } catch (e) {
          // The lease runs out and the message is tried again; nothing of the message is in the log.
          span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).name });
          this.log.error(
            { messageId: msg.id, channel, err: { name: (e as Error).name } },
            'message attempt crashed',
          );
        } finally {
          span.end();
        }
      },
    );
  }

  /** Address, link and rendering: personal data enters here, in memory, for this one attempt. */
  private async prepare(msg: MessageRecord, channel: ChannelKind): Promise<Prepared> {
    const fail = (code: string, retryable: boolean, scope: 'channel' | 'message'): Prepared => ({
      ok: false,
      code,
      retryable,
      scope,
    });
    if (!this.channels.enabled(channel)) return fail('CHANNEL_DISABLED', false, 'channel');
    const template = MESSAGE_TEMPLATES.get(templateRefOf(msg));
    if (!template) return fail('TEMPLATE_UNKNOWN', false, 'message');
    const m = this.dataSource.manager;
    const property = await this.contacts.property(m, msg.propertyId);
    if (!property) return fail('PROPERTY_GONE', false, 'message');

    let to: string | OutgoingMessage['to'] | null = null;
    let recipientName: string | null = null;
    if (msg.recipientRole === 'resident') {
      const resident = await this.contacts.resident(m, msg.recipientId);
      if (!resident) return fail('RECIPIENT_GONE', false, 'message');
      const consent = residentConsentOf(channel);
      if (!consent || !resident.consent[consent]) return fail('CONSENT_WITHDRAWN', false, 'channel');
      recipientName = resident.name;
      to =
        channel === 'sms' && resident.phone
          ? smsNumber(resident.phone)
          : channel === 'email'
            ? resident.email
            : channel === 'wecom_app'
              ? resident.wecomUserId
              : null;
    } else if (msg.recipientRole === 'operations') {
      // The shared inbox of the settings (OPERATIONS_CONTACT), not a directory entry.
      const ops = this.config.operationsContact;
      if (!ops) return fail('RECIPIENT_GONE', false, 'message');
      if (channel === ops.channel) to = channel === 'sms' ? smsNumber(ops.address) : ops.address;
    } else {
      const staff = await this.contacts.staff(m, msg.recipientId);
      if (!staff) return fail('RECIPIENT_GONE', false, 'message');
      recipientName = staff.name;
      if (channel === 'web_push') {
        const subs = await this.contacts.pushSubscriptions(m, staff.id);
        to = subs.length > 0 ? subs : null;
      } else if (channel === staff.channel) {
        to = channel === 'sms' ? smsNumber(staff.address) : staff.address;
      }
    }
    if (!to) return fail('NO_ADDRESS', false, 'channel');

    let upload: SendTimeFacts['upload'] = null;
    if (template.needsUploadLink) {
      if (!msg.caseId) return fail('NO_CASE', false, 'message');
      const link = await this.issueLink(msg, msg.caseId);
      if (!link.ok) return link;
      upload = { url: link.link.url, expiresAt: link.link.expiresAt };
    }
    // Read only for a channel that may carry free text: an SMS never gets it, even by mistake.
    const note =
      msg.templateId === STEWARD_REUPLOAD_REQUEST.id && channelCarriesNote(channel)
        ? await this.repo.stewardNote(m, msg.id)
        : null;
    const rendered = template.render[msg.language](msg.variables, {
      recipientName,
      propertyName: property.name,
      timeZone: property.timeZone,
      upload,
      note,
    });
    const content = contentFor(channel, template, msg.language, rendered);
    return { ok: true, outgoing: { ...content, messageId: msg.id, to } as OutgoingMessage };
  }

  /**
   * The upload link for the message. A follow-up (resend, reminder) names the vault request of the
   * message it follows (`variables.linkKey`): asking with that key again gives the *same* request
   * a fresh secret and expiry (the old link stops working, the vault keeps one request). When that
   * request is closed — the resident used it, or a newer one superseded it — the message asks
   * with its own id instead, which opens a new request. Any other message uses its own id, so its
   * retries and failovers re-issue one request.
   */
  private async issueLink(msg: MessageRecord, caseId: string) {
    const documents = Array.isArray(msg.variables['documents'])
      ? (msg.variables['documents'] as string[])
      : [];
    const linkKey = typeof msg.variables['linkKey'] === 'string' ? msg.variables['linkKey'] : null;
    const ask = (idempotencyKey: string) =>
      this.uploadLinks.issue({ caseId, language: msg.language, documents, idempotencyKey });
    if (!linkKey || linkKey === msg.id) return ask(msg.id);
    const reused = await ask(linkKey);
    if (reused.ok || reused.code !== 'VAULT_UPLOAD_REQUEST_CLOSED') return reused;
    this.log.info(
      { messageId: msg.id, parcelId: msg.parcelId },
      'earlier upload request closed; asking for a new one',
    );
    return ask(msg.id);
  }

  /** Runs inside the attempt's active span: the outbox rows carry its trace, the events continue it. */
  private async record(
    msg: MessageRecord,
    channel: ChannelKind,
    result: SendResult | AttemptFailure,
    span: Span,
  ) {
    const recorded = await this.dataSource.transaction(async (m) => {
      const now = this.clock();
      const current = await this.repo.lockForOutcome(m, msg.id, msg.attempt);
      if (!current) return null;
      const events: OutreachEvent[] = [];
      const gone = 'goneEndpoints' in result ? (result.goneEndpoints ?? []) : [];
      await this.repo.removePushSubscriptions(m, gone);
      if ('ok' in result && result.ok) {
        await this.repo.finishAttempt(m, {
          messageId: msg.id,
          attempt: msg.attempt,
          outcome: 'sent',
          errorCode: null,
          retryable: null,
          providerMessageId: result.providerMessageId,
          at: now,
        });
        await this.repo.markSent(
          m,
          msg.id,
          result.delivered ? 'delivered' : 'sent',
          result.providerMessageId,
          now,
          keepNoteAfterSend(current.channelPlan, result.delivered),
        );
        events.push(messageSent(current, channel, now));
        if (result.delivered) events.push(messageDelivered(current, channel, now));
        await this.outbox.appendMany(
          m,
          events.map((e) => toOutbox(msg.tenantId, msg.parcelId, e)),
        );
        return { outcome: result.delivered ? ('delivered' as const) : ('sent' as const), errorCode: null };
      }
      const failure: AttemptFailure =
        'scope' in result ? result : { code: result.code, retryable: result.retryable, scope: 'channel' };
      await this.repo.finishAttempt(m, {
        messageId: msg.id,
        attempt: msg.attempt,
        outcome: 'failed',
        errorCode: failure.code,
        retryable: failure.retryable,
        providerMessageId: null,
        at: now,
      });
      const next = afterFailure(current, failure, this.config.messageRetryDelaysMs, now);
      if (next.next === 'retry') await this.repo.scheduleRetry(m, msg.id, next.at, failure.code);
      else if (next.next === 'failover')
        await this.repo.failOver(m, msg.id, next.channelIndex, now, failure.code);
      else
        await this.repo.markFailed(m, msg.id, now, failure.code, keepNoteAfterFailure(current.channelPlan));
      events.push(
        messageFailed(current, channel, now, {
          errorCode: failure.code,
          willRetry: next.next === 'retry',
          failoverChannel: next.next === 'failover' ? next.channel : null,
        }),
      );
      await this.outbox.appendMany(
        m,
        events.map((e) => toOutbox(msg.tenantId, msg.parcelId, e)),
      );
      if (next.next === 'give_up') await this.hooks.unreachable(m, current, failure.code);
      if (next.next === 'failover') this.metrics.failover(channel, next.channel);
      return {
        outcome:
          next.next === 'retry'
            ? ('retry' as const)
            : next.next === 'failover'
              ? ('failover' as const)
              : ('failed' as const),
        errorCode: failure.code,
      };
    });
    const ids = {
      messageId: msg.id,
      taskId: msg.taskId,
      parcelId: msg.parcelId,
      channel,
      attempt: msg.attempt,
    };
    if (!recorded) {
      span.setAttribute('portico.outcome', 'lease_lost');
      this.log.warn(ids, 'message attempt outcome dropped: another worker took the message over');
      return;
    }
    this.metrics.outcome(channel, recorded.outcome);
    span.setAttribute('portico.outcome', recorded.outcome);
    if (recorded.errorCode) span.setAttribute('portico.error_code', recorded.errorCode);
    const log = recorded.outcome === 'failed' ? this.log.warn.bind(this.log) : this.log.info.bind(this.log);
    log({ ...ids, outcome: recorded.outcome, errorCode: recorded.errorCode }, 'message attempt recorded');
  }
}
