import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import type { Language } from '../directory/directory.types';
import type { MessageRecord, MessageStatus, MessageVariables, RecipientRole } from './message';
import type { NoteKeepWindows } from './steward-note';

export interface NewMessage {
  readonly id: string;
  readonly dedupeKey: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly taskId: string | null;
  readonly caseId: string | null;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly recipientRole: RecipientRole;
  readonly recipientId: string;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly language: Language;
  readonly variables: MessageVariables;
  readonly channelPlan: readonly ChannelKind[];
  readonly nextAttemptAt: Date;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  /** A steward's free text for this message only (blanked when the message finishes). */
  readonly stewardNote?: string | null;
}

/** A message that may reach the recipient soon or did recently: what a rate-limit check counts. */
export interface RecipientLoad {
  /** Attempts sent or in flight in the last 24 h (start times). */
  readonly recent: readonly Date[];
  /** Messages queued for the recipient that have not gone out yet. */
  readonly queued: number;
}

interface MessageRow {
  id: string;
  dedupe_key: string;
  tenant_id: string;
  property_id: string;
  task_id: string | null;
  case_id: string | null;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  recipient_role: RecipientRole;
  recipient_id: string;
  template_id: string;
  template_version: number;
  language: Language;
  variables: MessageVariables;
  channel_plan: ChannelKind[];
  channel_index: number;
  channel_attempt: number;
  attempt: number;
  status: MessageStatus;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_error_code: string | null;
  traceparent: string | null;
  tracestate: string | null;
}

function toRecord(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    taskId: r.task_id,
    caseId: r.case_id,
    parcelId: r.parcel_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    recipientRole: r.recipient_role,
    recipientId: r.recipient_id,
    templateId: r.template_id,
    templateVersion: r.template_version,
    language: r.language,
    variables: r.variables,
    channelPlan: r.channel_plan,
    channelIndex: r.channel_index,
    channelAttempt: r.channel_attempt,
    attempt: r.attempt,
    status: r.status,
    nextAttemptAt: r.next_attempt_at,
    leaseUntil: r.lease_until,
    lastErrorCode: r.last_error_code,
    traceparent: r.traceparent,
    tracestate: r.tracestate,
  };
}

/** A claimed candidate with the state of the task it serves (closed tasks cancel their messages). */
export interface DueMessage {
  readonly message: MessageRecord;
  readonly taskState: string | null;
}

export interface AttemptOutcome {
  readonly messageId: string;
  readonly attempt: number;
  readonly outcome: 'sent' | 'failed';
  readonly errorCode: string | null;
  readonly retryable: boolean | null;
  readonly providerMessageId: string | null;
  readonly at: Date;
}

/** All SQL of the message queue; every method takes the transaction it runs in. */
@Injectable()
export class MessagesRepository {
  /** Inserts the message unless its dedupe key exists; true when inserted. */
  async insert(m: EntityManager, msg: NewMessage): Promise<boolean> {
    return (await this.insertMany(m, [msg])).size > 0;
  }

  /**
   * Queues several messages with one statement (a batch handler's chunk); a dedupe key already
   * queued, or twice in `msgs`, is skipped (ON CONFLICT DO NOTHING keeps the first).
   * @returns the ids of the rows inserted.
   */
  async insertMany(m: EntityManager, msgs: readonly NewMessage[]): Promise<Set<string>> {
    if (msgs.length === 0) return new Set();
    const params: unknown[] = [];
    const tuples = msgs.map((msg) => {
      const at = params.length;
      params.push(
        msg.id,
        msg.dedupeKey,
        msg.tenantId,
        msg.propertyId,
        msg.taskId,
        msg.caseId,
        msg.parcelId,
        msg.carrierCode,
        msg.trackingNumber,
        msg.recipientRole,
        msg.recipientId,
        msg.templateId,
        msg.templateVersion,
        msg.language,
        JSON.stringify(msg.variables),
        msg.channelPlan,
        msg.nextAttemptAt,
        msg.traceparent,
        msg.tracestate,
        msg.stewardNote ?? null,
      );
      const p = (i: number) => `$${at + i}`;
      return `(${[...Array(14).keys()].map((i) => p(i + 1)).join(', ')}, ${p(15)}::jsonb, ${p(16)}::text[], ${p(17)}, ${p(18)}, ${p(19)}, ${p(20)}, ${p(20)}::text IS NOT NULL)`;
    });
    const rows = (await m.query(
      `INSERT INTO messages (id, dedupe_key, tenant_id, property_id, task_id, case_id, parcel_id, carrier_code,
                             tracking_number, recipient_role, recipient_id, template_id, template_version,
                             language, variables, channel_plan, next_attempt_at, traceparent, tracestate, steward_note,
                             had_steward_note)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      params,
    )) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Due messages, locked for this transaction (SKIP LOCKED: other workers take others). A message
   * still `sending` whose lease ran out belongs to a worker that died mid-send: it is due again.
   */
  async lockDue(m: EntityManager, now: Date, limit: number): Promise<DueMessage[]> {
    const rows = (await m.query(
      `SELECT msg.*, t.state AS task_state
         FROM messages msg
         LEFT JOIN outreach_tasks t ON t.id = msg.task_id
        WHERE msg.status IN ('queued', 'sending') AND msg.next_attempt_at <= $1
          AND (msg.lease_until IS NULL OR msg.lease_until <= $1)
        ORDER BY msg.next_attempt_at, msg.id
        LIMIT $2
        FOR UPDATE OF msg SKIP LOCKED`,
      [now, limit],
    )) as (MessageRow & { task_state: string | null })[];
    return rows.map((r) => ({ message: toRecord(r), taskState: r.task_state }));
  }

  /** Serialises rate-limit decisions per recipient across workers; false = another worker has it now. */
  async tryLockRecipient(m: EntityManager, recipientKey: string): Promise<boolean> {
    const [row] = (await m.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7)) AS locked`, [
      recipientKey,
    ])) as { locked: boolean }[];
    return row?.locked === true;
  }

  /** Start times of the recipient's messages that reached them or are on their way, last 24 h. */
  async recentDeliveries(m: EntityManager, recipientKey: string, now: Date): Promise<Date[]> {
    const rows = (await m.query(
      `SELECT started_at FROM message_attempts
        WHERE recipient_key = $1 AND started_at > $2::timestamptz - interval '24 hours'
          AND outcome IN ('in_flight', 'sent')`,
      [recipientKey, now],
    )) as { started_at: Date }[];
    return rows.map((r) => r.started_at);
  }

  /** The attempt a dead worker left in flight. */
  async abandonInFlight(m: EntityManager, messageId: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE message_attempts SET outcome = 'abandoned', finished_at = $2, error_code = 'LEASE_EXPIRED'
        WHERE message_id = $1 AND outcome = 'in_flight'`,
      [messageId, now],
    );
  }

  async postpone(m: EntityManager, messageId: string, until: Date, errorCode: string | null): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'queued', next_attempt_at = $2, lease_until = NULL,
              last_error_code = COALESCE($3, last_error_code), updated_at = now()
        WHERE id = $1`,
      [messageId, until, errorCode],
    );
  }

  async cancel(m: EntityManager, messageId: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'cancelled', lease_until = NULL, finished_at = $2, steward_note = NULL,
              updated_at = now() WHERE id = $1`,
      [messageId, now],
    );
  }

  /** Takes the message for one attempt: `sending`, leased, attempt counters up, attempt row in flight. */
  async startAttempt(
    m: EntityManager,
    msg: MessageRecord,
    channel: ChannelKind,
    recipientKey: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<MessageRecord> {
    const [row] = returnedRows<MessageRow>(
      await m.query(
        `UPDATE messages SET status = 'sending', lease_until = $2, attempt = attempt + 1,
                channel_attempt = channel_attempt + 1, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [msg.id, leaseUntil],
      ),
    );
    const updated = toRecord(row!);
    await m.query(
      `INSERT INTO message_attempts (message_id, attempt, channel, recipient_key, started_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [msg.id, updated.attempt, channel, recipientKey, now],
    );
    return updated;
  }

  /**
   * Locks the message for recording an attempt's outcome, only if this worker still holds that
   * attempt (a lease that ran out may have let another worker take it over).
   */
  async lockForOutcome(m: EntityManager, messageId: string, attempt: number): Promise<MessageRecord | null> {
    const [row] = (await m.query(
      `SELECT * FROM messages WHERE id = $1 AND status = 'sending' AND attempt = $2 FOR UPDATE`,
      [messageId, attempt],
    )) as MessageRow[];
    return row ? toRecord(row) : null;
  }

  async finishAttempt(m: EntityManager, o: AttemptOutcome): Promise<void> {
    await m.query(
      `UPDATE message_attempts SET outcome = $3, finished_at = $4, error_code = $5, retryable = $6,
              provider_message_id = $7
        WHERE message_id = $1 AND attempt = $2`,
      [o.messageId, o.attempt, o.outcome, o.at, o.errorCode, o.retryable, o.providerMessageId],
    );
  }

  /**
   * `keepNote`: a late receipt may still fail the message over to a channel that carries the
   * steward's note (`keepNoteAfterSend`); otherwise the note goes now.
   */
  async markSent(
    m: EntityManager,
    messageId: string,
    status: 'sent' | 'delivered',
    providerMessageId: string,
    now: Date,
    keepNote = false,
  ): Promise<void> {
    await m.query(
      `UPDATE messages SET status = $2, provider_message_id = $3, lease_until = NULL, finished_at = $4,
              last_error_code = NULL, steward_note = CASE WHEN $5::boolean THEN steward_note END,
              updated_at = now()
        WHERE id = $1`,
      [messageId, status, providerMessageId, now, keepNote],
    );
  }

  /**
   * Drops the kept notes no failover or re-drive can use any more: the message is neither `sent`
   * nor `failed` (a path that missed it), its task closed or its deadline passed, the send is older
   * than `afterSendMs`, or the failure older than `afterFailureMs`. Returns how many it dropped.
   */
  async forgetSpentNotes(m: EntityManager, now: Date, keep: NoteKeepWindows): Promise<number> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE messages msg SET steward_note = NULL, updated_at = now()
          WHERE msg.steward_note IS NOT NULL AND msg.status NOT IN ('queued', 'sending')
            AND (msg.status NOT IN ('sent', 'failed')
                 OR (msg.status = 'sent' AND msg.finished_at <= $1::timestamptz - $2 * interval '1 millisecond')
                 OR (msg.status = 'failed' AND msg.finished_at <= $1::timestamptz - $3 * interval '1 millisecond')
                 OR EXISTS (SELECT 1 FROM outreach_tasks t
                             WHERE t.id = msg.task_id AND (t.state = 'closed' OR t.deadline <= $1)))
          RETURNING msg.id`,
        [now, keep.afterSendMs, keep.afterFailureMs],
      ),
    );
    return rows.length;
  }

  async scheduleRetry(m: EntityManager, messageId: string, at: Date, errorCode: string): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'queued', next_attempt_at = $2, lease_until = NULL, last_error_code = $3,
              updated_at = now()
        WHERE id = $1`,
      [messageId, at, errorCode],
    );
  }

  async failOver(
    m: EntityManager,
    messageId: string,
    channelIndex: number,
    now: Date,
    errorCode: string,
  ): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'queued', channel_index = $2, channel_attempt = 0, next_attempt_at = $3,
              lease_until = NULL, last_error_code = $4, updated_at = now()
        WHERE id = $1`,
      [messageId, channelIndex, now, errorCode],
    );
  }

  /**
   * Failed for good. `keepNote`: an operator may re-drive it on a channel that carries the
   * steward's note (`keepNoteAfterFailure`); the sweep bounds how long it stays.
   */
  async markFailed(
    m: EntityManager,
    messageId: string,
    now: Date,
    errorCode: string,
    keepNote: boolean,
  ): Promise<void> {
    await m.query(
      `UPDATE messages SET status = 'failed', lease_until = NULL, finished_at = $2, last_error_code = $3,
              steward_note = CASE WHEN $4::boolean THEN steward_note END, updated_at = now()
        WHERE id = $1`,
      [messageId, now, errorCode, keepNote],
    );
  }

  async removePushSubscriptions(m: EntityManager, endpoints: readonly string[]): Promise<void> {
    if (endpoints.length === 0) return;
    await m.query(`DELETE FROM push_subscriptions WHERE endpoint = ANY($1::text[])`, [endpoints]);
  }

  async backlog(m: EntityManager): Promise<number> {
    const [row] = (await m.query(
      `SELECT count(*)::int AS n FROM messages WHERE status IN ('queued', 'sending')`,
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  /** The steward's note of a message still to be sent (read at send time only, never logged). */
  async stewardNote(m: EntityManager, messageId: string): Promise<string | null> {
    const [row] = (await m.query(`SELECT steward_note FROM messages WHERE id = $1`, [messageId])) as {
      steward_note: string | null;
    }[];
    return row?.steward_note ?? null;
  }

  /** What the recipient got lately and what is still on its way to them (rate-limit pre-checks). */
  async recipientLoad(
    m: EntityManager,
    recipientRole: RecipientRole,
    recipientId: string,
    now: Date,
  ): Promise<RecipientLoad> {
    const key = `${recipientRole}:${recipientId}`;
    const [row] = (await m.query(
      `SELECT count(*)::int AS n FROM messages
        WHERE recipient_role = $1 AND recipient_id = $2 AND status = 'queued'`,
      [recipientRole, recipientId],
    )) as { n: number }[];
    return { recent: await this.recentDeliveries(m, key, now), queued: row?.n ?? 0 };
  }

  /** The newest message of a task to its resident with one of `templateIds` (the one a resend repeats). */
  async latestResidentMessageOfTask(
    m: EntityManager,
    taskId: string,
    templateIds: readonly string[],
  ): Promise<MessageRecord | null> {
    const [row] = (await m.query(
      `SELECT * FROM messages WHERE task_id = $1 AND recipient_role = 'resident' AND template_id = ANY($2::text[])
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [taskId, templateIds],
    )) as MessageRow[];
    return row ? toRecord(row) : null;
  }

  async idOfDedupeKey(m: EntityManager, dedupeKey: string): Promise<string | null> {
    const [row] = (await m.query(`SELECT id FROM messages WHERE dedupe_key = $1`, [dedupeKey])) as {
      id: string;
    }[];
    return row?.id ?? null;
  }

  async find(m: EntityManager, id: string): Promise<MessageRecord | null> {
    const [row] = (await m.query(`SELECT * FROM messages WHERE id = $1`, [id])) as MessageRow[];
    return row ? toRecord(row) : null;
  }
}
