import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { OutboxWriter } from '@portico/messaging';
import { storedTraceContext, type Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import type { MessageRecord } from '../messages/message';
import { messageDelivered, messageFailed } from '../messages/message-events';
import { MessageHooks } from '../messages/message-hooks';
import { MessagesMetrics } from '../messages/messages.metrics';
import { keepNoteAfterFailure } from '../messages/steward-note';
import { toOutbox } from '../outreach/outreach-events';
import { CLOCK, type Clock } from '../shared/tokens';
import type { Dsn } from './dsn';
import { receiptEffect, receiptErrorCode, stillUseful, type Receipt } from './receipt-rules';
import { ReceiptsMetrics, type ReceiptResult, type ReceiptSource } from './receipts.metrics';
import { ReceiptsRepository, type ReceiptAttempt, type ReceiptMessage } from './receipts.repository';
import type { SmsReport } from './sms-report';

export interface ReceiptAnswer {
  /** Our message id when the receipt named one of ours. */
  readonly messageId: string | null;
  readonly result: ReceiptResult;
}

interface Applying {
  readonly source: ReceiptSource;
  readonly messageId: string;
  /** Finds the attempt the receipt is about, in the transaction. */
  readonly attempt: (m: EntityManager, target: ReceiptMessage) => Promise<ReceiptAttempt | null>;
  readonly receipt: Receipt;
  /** Same receipt again (a provider's re-push, a relay's second bounce) -> same key. */
  readonly dedupeKey: (attempt: ReceiptAttempt) => string;
  readonly reportedAt: Date | null;
}

/**
 * Delivery receipts -> the message's end. A `delivered` receipt for the attempt the message stands
 * on makes it `delivered` (MessageDelivered); a failure makes it fail over to the plan's next
 * channel while reaching the person still helps, or fail for good (MessageFailed, will_retry false,
 * and the unreachable hook, as when every channel refused at send time). One transaction per
 * receipt: the message row locked, the receipt row (its dedupe key makes a re-push a no-op), the
 * attempt's note, the state change and the outbox events. Receipts about attempts the message no
 * longer stands on are only noted.
 */
@Injectable()
export class ReceiptsService {
  private readonly log: Logger;
  private readonly tracer = trace.getTracer('@portico/notification-receipts');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ReceiptsRepository,
    private readonly outbox: OutboxWriter,
    private readonly hooks: MessageHooks,
    private readonly metrics: ReceiptsMetrics,
    private readonly messageMetrics: MessagesMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'receipts' });
  }

  async onSmsReports(reports: readonly SmsReport[]): Promise<ReceiptAnswer[]> {
    const answers: ReceiptAnswer[] = [];
    for (const r of reports) {
      const messageId =
        r.messageId && /^msg_[0-9a-f]{32}$/.test(r.messageId)
          ? r.messageId
          : await this.repo.messageIdOfProviderId(this.dataSource.manager, r.bizId);
      if (!messageId) {
        answers.push(this.unknown('sms_report'));
        continue;
      }
      answers.push(
        await this.apply({
          source: 'sms_report',
          messageId,
          attempt: (m, t) => this.repo.attemptByProviderId(m, t.message.id, r.bizId),
          receipt: r.receipt,
          dedupeKey: () => `sms:${r.bizId}:${messageId}:${r.receipt.outcome}:${r.receipt.code ?? ''}`,
          reportedAt: r.reportedAt,
        }),
      );
    }
    return answers;
  }

  async onDsn(dsn: Dsn): Promise<ReceiptAnswer> {
    if (!dsn.messageId) return this.unknown('email_dsn');
    if (!dsn.receipt) {
      // delayed / relayed: the relay keeps trying; nothing to record yet.
      this.metrics.received('email_dsn', 'not_final');
      return { messageId: dsn.messageId, result: 'not_final' };
    }
    const receipt = dsn.receipt;
    return this.apply({
      source: 'email_dsn',
      messageId: dsn.messageId,
      attempt: (m, t) => this.repo.latestAcceptedAttempt(m, t.message.id, 'email'),
      receipt,
      dedupeKey: (a) => `dsn:${dsn.messageId}:${a.attempt}:${receipt.outcome}:${receipt.code ?? ''}`,
      reportedAt: dsn.arrivalDate,
    });
  }

  private unknown(source: ReceiptSource): ReceiptAnswer {
    this.metrics.received(source, 'unknown_message');
    this.log.info({ source }, 'receipt for no message of ours');
    return { messageId: null, result: 'unknown_message' };
  }

  private async apply(a: Applying): Promise<ReceiptAnswer> {
    const outcome = await this.dataSource.transaction(async (m) => {
      const target = await this.repo.lockMessage(m, a.messageId);
      if (!target) return null;
      const attempt = await a.attempt(m, target);
      if (!attempt) return { target, attempt: null, result: 'unknown_message' as const };
      return this.tracer.startActiveSpan(
        `message receipt ${a.source}`,
        {
          attributes: {
            'portico.message_id': target.message.id,
            'portico.parcel_id': target.message.parcelId,
            'portico.channel': attempt.channel,
            'portico.attempt': attempt.attempt,
            'portico.receipt_outcome': a.receipt.outcome,
          },
        },
        // The receipt's events join the parcel's trace, like the attempt that sent the message.
        storedTraceContext(target.message),
        async (span) => {
          try {
            const result = await this.record(m, a, target, attempt);
            span.setAttribute('portico.receipt_effect', result);
            return { target, attempt, result };
          } finally {
            span.end();
          }
        },
      );
    });
    if (!outcome) return this.unknown(a.source);
    this.metrics.received(a.source, outcome.result);
    this.log.info(
      {
        source: a.source,
        messageId: a.messageId,
        parcelId: outcome.target.message.parcelId,
        taskId: outcome.target.message.taskId,
        channel: outcome.attempt?.channel,
        attempt: outcome.attempt?.attempt,
        receipt: a.receipt.outcome,
        code: a.receipt.code,
        result: outcome.result,
      },
      'delivery receipt',
    );
    return { messageId: a.messageId, result: outcome.result };
  }

  private async record(
    m: EntityManager,
    a: Applying,
    target: ReceiptMessage,
    attempt: ReceiptAttempt,
  ): Promise<ReceiptResult> {
    const now = this.clock();
    const msg = target.message;
    const effect = receiptEffect(
      {
        status: msg.status,
        channelPlan: msg.channelPlan,
        channelIndex: msg.channelIndex,
        providerMessageId: target.providerMessageId,
        receiptProviderId: attempt.providerMessageId ?? '',
        attemptHasReceipt: attempt.receiptOutcome !== null,
      },
      a.receipt,
      stillUseful(
        { taskState: target.taskState, deadline: target.taskDeadline, queuedAt: target.createdAt },
        now,
      ),
    );
    const fresh = await this.repo.insertReceipt(m, {
      messageId: msg.id,
      attempt: attempt.attempt,
      channel: attempt.channel,
      source: a.source,
      dedupeKey: a.dedupeKey(attempt),
      outcome: a.receipt.outcome,
      code: a.receipt.code,
      effect: effect.effect,
      reportedAt: a.reportedAt,
      receivedAt: now,
    });
    if (!fresh) return 'duplicate';
    await this.repo.noteOnAttempt(m, msg.id, attempt.attempt, a.receipt.outcome, a.receipt.code, now);
    // The events name the attempt the receipt is about, not the message's latest attempt number.
    const about = { ...msg, attempt: attempt.attempt };
    const errorCode = receiptErrorCode(a.source === 'sms_report' ? 'SMS_DR' : 'DSN', a.receipt.code);
    switch (effect.effect) {
      case 'recorded':
        return 'recorded';
      case 'delivered':
        await this.repo.markDelivered(m, msg.id, now);
        await this.outbox.append(
          m,
          toOutbox(msg.tenantId, msg.parcelId, messageDelivered(about, attempt.channel, now)),
        );
        this.messageMetrics.outcome(attempt.channel, 'delivered');
        return 'delivered';
      case 'failover':
        await this.repo.failOverLate(m, msg.id, effect.channelIndex, now, errorCode);
        await this.lateFailure(m, about, attempt.channel, now, errorCode, effect.channel);
        this.messageMetrics.outcome(attempt.channel, 'failover');
        this.messageMetrics.failover(attempt.channel, effect.channel);
        return 'failover';
      case 'failed':
        // Failed for good, but an operator may still re-drive it: the note stays (bounded by the sweep).
        await this.repo.markFailed(m, msg.id, now, errorCode, keepNoteAfterFailure(msg.channelPlan));
        await this.lateFailure(m, about, attempt.channel, now, errorCode, null);
        await this.hooks.unreachable(m, about, errorCode);
        this.messageMetrics.outcome(attempt.channel, 'failed');
        return 'failed';
    }
  }

  /** The late MessageFailed: never retried on that channel; the channel it failed over to, if any. */
  private async lateFailure(
    m: EntityManager,
    about: MessageRecord,
    channel: ChannelKind,
    at: Date,
    errorCode: string,
    failoverChannel: ChannelKind | null,
  ): Promise<void> {
    const event = messageFailed(about, channel, at, { errorCode, willRetry: false, failoverChannel });
    await this.outbox.append(m, toOutbox(about.tenantId, about.parcelId, event));
  }
}
