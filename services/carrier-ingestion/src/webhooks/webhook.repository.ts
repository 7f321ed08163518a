import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type ReceiptOutcome = 'accepted' | 'duplicate';

export interface WebhookReceipt {
  readonly id: string;
  readonly receivedAt: Date;
  readonly carrierAccountId: string;
  readonly provider: string;
  /** The delivery headers worth keeping (never credentials; the signature, to re-verify later). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body byte for byte, personal data included: this archive is the only place it is kept. */
  readonly body: Buffer;
  readonly outcome: ReceiptOutcome;
  readonly dedupeKey: string;
  readonly providerEventId?: string;
  readonly parcelIds: readonly string[];
}

/** All SQL of the intake transaction: dedupe keys and the raw archive. Runs in the manager it is given. */
@Injectable()
export class WebhookRepository {
  /**
   * Bounds every statement and lock wait of the current transaction, so a database that hangs
   * (or a concurrent retry holding the dedupe row) turns into a 503 the carrier retries, instead
   * of a request that never answers.
   */
  async limitStatementTime(m: EntityManager, ms: number): Promise<void> {
    const value = `${Math.max(1, Math.round(ms))}ms`;
    await m.query(`SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $1, true)`, [
      value,
    ]);
  }

  /**
   * Records the delivery's dedupe key; false when the account has seen it before. A concurrent
   * delivery of the same key waits here until the first commits (then: duplicate) or rolls back
   * (then: first).
   */
  async claimDedupeKey(
    m: EntityManager,
    key: { carrierAccountId: string; dedupeKey: string; firstSeenAt: Date; receiptId: string },
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO webhook_dedupe (carrier_account_id, dedupe_key, first_seen_at, receipt_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (carrier_account_id, dedupe_key) DO NOTHING
       RETURNING 1 AS claimed`,
      [key.carrierAccountId, key.dedupeKey, key.firstSeenAt, key.receiptId],
    );
    return rows.length === 1;
  }

  async insertReceipt(m: EntityManager, r: WebhookReceipt): Promise<void> {
    await m.query(
      `INSERT INTO webhook_receipts
         (id, received_at, carrier_account_id, provider, headers, body, outcome, dedupe_key, provider_event_id, parcel_ids)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10::text[])`,
      [
        r.id,
        r.receivedAt,
        r.carrierAccountId,
        r.provider,
        JSON.stringify(r.headers),
        r.body,
        r.outcome,
        r.dedupeKey,
        r.providerEventId ?? null,
        [...r.parcelIds],
      ],
    );
  }
}
