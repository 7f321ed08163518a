import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import type { MessageRecord } from '../messages/message';
import { MessagesRepository } from '../messages/messages.repository';
import type { ReceiptOutcome } from './receipt-rules';

/** The message a receipt is about, locked, with what decides whether it is still worth reaching. */
export interface ReceiptMessage {
  readonly message: MessageRecord;
  readonly providerMessageId: string | null;
  readonly taskState: string | null;
  readonly taskDeadline: Date | null;
  readonly createdAt: Date;
}

export interface ReceiptAttempt {
  readonly attempt: number;
  readonly channel: ChannelKind;
  readonly providerMessageId: string | null;
  readonly receiptOutcome: ReceiptOutcome | null;
}

export interface NewReceipt {
  readonly messageId: string;
  readonly attempt: number;
  readonly channel: ChannelKind;
  readonly source: 'sms_report' | 'email_dsn';
  readonly dedupeKey: string;
  readonly outcome: ReceiptOutcome;
  readonly code: string | null;
  readonly effect: string;
  readonly reportedAt: Date | null;
  readonly receivedAt: Date;
}

/** All SQL of delivery receipts; every method takes the transaction it runs in. */
@Injectable()
export class ReceiptsRepository {
  constructor(private readonly messages: MessagesRepository) {}

  /** Locks the message (a receipt and the worker never change it at the same time). */
  async lockMessage(m: EntityManager, messageId: string): Promise<ReceiptMessage | null> {
    const [row] = (await m.query(
      `SELECT msg.id, msg.provider_message_id, msg.created_at, t.state AS task_state, t.deadline AS task_deadline
         FROM messages msg LEFT JOIN outreach_tasks t ON t.id = msg.task_id
        WHERE msg.id = $1
        FOR UPDATE OF msg`,
      [messageId],
    )) as {
      id: string;
      provider_message_id: string | null;
      created_at: Date;
      task_state: string | null;
      task_deadline: Date | null;
    }[];
    if (!row) return null;
    const message = await this.messages.find(m, messageId);
    return message
      ? {
          message,
          providerMessageId: row.provider_message_id,
          taskState: row.task_state,
          taskDeadline: row.task_deadline,
          createdAt: row.created_at,
        }
      : null;
  }

  /** Our message id of a provider id, for receipts that came without our id (SMS sent without OutId). */
  async messageIdOfProviderId(m: EntityManager, providerMessageId: string): Promise<string | null> {
    const [row] = (await m.query(
      `SELECT message_id FROM message_attempts WHERE provider_message_id = $1 AND outcome = 'sent'
        UNION ALL
       SELECT id FROM messages WHERE provider_message_id = $1
        LIMIT 1`,
      [providerMessageId],
    )) as { message_id: string }[];
    return row?.message_id ?? null;
  }

  /** The accepted attempt of `messageId` the provider id names (SMS: the BizId of one send). */
  attemptByProviderId(m: EntityManager, messageId: string, providerMessageId: string) {
    return this.newestAccepted(m, messageId, 'provider_message_id', providerMessageId);
  }

  /**
   * The last accepted attempt of the message on `channel`. Every e-mail attempt of a message
   * carries the same Message-ID, so a bounce can only be about the newest one that was accepted.
   */
  latestAcceptedAttempt(m: EntityManager, messageId: string, channel: ChannelKind) {
    return this.newestAccepted(m, messageId, 'channel', channel);
  }

  private async newestAccepted(
    m: EntityManager,
    messageId: string,
    column: 'provider_message_id' | 'channel',
    value: string,
  ): Promise<ReceiptAttempt | null> {
    const [row] = (await m.query(
      `SELECT attempt, channel, provider_message_id, receipt_outcome FROM message_attempts
        WHERE message_id = $1 AND ${column} = $2 AND outcome = 'sent'
        ORDER BY attempt DESC LIMIT 1`,
      [messageId, value],
    )) as AttemptRow[];
    return row ? toAttempt(row) : null;
  }

  /** Records the receipt unless the same one was recorded before; true when it is new. */
  async insertReceipt(m: EntityManager, r: NewReceipt): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO message_receipts (message_id, attempt, channel, source, dedupe_key, outcome, code, effect,
                                     reported_at, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        r.messageId,
        r.attempt,
        r.channel,
        r.source,
        r.dedupeKey,
        r.outcome,
        r.code,
        r.effect,
        r.reportedAt,
        r.receivedAt,
      ],
    );
    return rows.length > 0;
  }

  /** The first receipt of an attempt is the one the history shows. */
  async noteOnAttempt(
    m: EntityManager,
    messageId: string,
    attempt: number,
    outcome: ReceiptOutcome,
    code: string | null,
    at: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE message_attempts SET receipt_outcome = $3, receipt_code = $4, receipt_at = $5
        WHERE message_id = $1 AND attempt = $2 AND receipt_outcome IS NULL`,
      [messageId, attempt, outcome, code, at],
    );
  }

  async markDelivered(m: EntityManager, messageId: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'delivered', finished_at = $2, steward_note = NULL, updated_at = now()
        WHERE id = $1 AND status = 'sent'`,
      [messageId, at],
    );
  }

  /**
   * A late failure: back in the queue on the plan's next channel, due now — the same row, so the
   * template, version, variables and the steward's note (kept by `markSent`) go with it.
   */
  async failOverLate(
    m: EntityManager,
    messageId: string,
    channelIndex: number,
    now: Date,
    errorCode: string,
  ): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'queued', channel_index = $2, channel_attempt = 0, next_attempt_at = $3,
              lease_until = NULL, finished_at = NULL, provider_message_id = NULL, last_error_code = $4,
              updated_at = now()
        WHERE id = $1`,
      [messageId, channelIndex, now, errorCode],
    );
  }

  async markFailed(
    m: EntityManager,
    messageId: string,
    now: Date,
    errorCode: string,
    keepNote: boolean,
  ): Promise<void> {
    await this.messages.markFailed(m, messageId, now, errorCode, keepNote);
  }
}

interface AttemptRow {
  attempt: number;
  channel: ChannelKind;
  provider_message_id: string | null;
  receipt_outcome: ReceiptOutcome | null;
}

function toAttempt(r: AttemptRow): ReceiptAttempt {
  return {
    attempt: r.attempt,
    channel: r.channel,
    providerMessageId: r.provider_message_id,
    receiptOutcome: r.receipt_outcome,
  };
}
