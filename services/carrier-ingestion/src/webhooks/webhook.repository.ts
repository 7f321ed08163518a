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
   * Records the deliveries' dedupe keys and answers the receipt ids that claimed theirs; a key the
   * account has seen before is not claimed. A concurrent transaction inserting the same key makes
   * this one wait until it commits (then: not claimed) or rolls back (then: claimed). One statement
   * for the whole batch; callers pass the keys sorted, so concurrent batches lock in one order.
   */
  async claimDedupeKeys(
    m: EntityManager,
    keys: readonly { carrierAccountId: string; dedupeKey: string; firstSeenAt: Date; receiptId: string }[],
  ): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: { receipt_id: string }[] = await m.query(
      `INSERT INTO webhook_dedupe (carrier_account_id, dedupe_key, first_seen_at, receipt_id)
       SELECT a, k, f, r
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::uuid[]) WITH ORDINALITY AS t(a, k, f, r, n)
        ORDER BY n
       ON CONFLICT (carrier_account_id, dedupe_key) DO NOTHING
       RETURNING receipt_id`,
      [
        keys.map((k) => k.carrierAccountId),
        keys.map((k) => k.dedupeKey),
        keys.map((k) => k.firstSeenAt),
        keys.map((k) => k.receiptId),
      ],
    );
    return new Set(rows.map((r) => r.receipt_id));
  }

  /** Archives the deliveries byte for byte, one statement for the batch. */
  async insertReceipts(m: EntityManager, receipts: readonly WebhookReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    // parcel_ids is an array per row, which unnest cannot take as a 2-D array of ragged rows:
    // it travels as one JSON array per row and is unpacked in SQL.
    await m.query(
      `INSERT INTO webhook_receipts
         (id, received_at, carrier_account_id, provider, headers, body, outcome, dedupe_key, provider_event_id, parcel_ids)
       SELECT id, received_at, account, provider, headers::jsonb, body, outcome, dedupe_key, event_id,
              ARRAY(SELECT jsonb_array_elements_text(parcels::jsonb))
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::bytea[],
                     $7::text[], $8::text[], $9::text[], $10::text[])
              AS t(id, received_at, account, provider, headers, body, outcome, dedupe_key, event_id, parcels)`,
      [
        receipts.map((r) => r.id),
        receipts.map((r) => r.receivedAt),
        receipts.map((r) => r.carrierAccountId),
        receipts.map((r) => r.provider),
        receipts.map((r) => JSON.stringify(r.headers)),
        receipts.map((r) => r.body),
        receipts.map((r) => r.outcome),
        receipts.map((r) => r.dedupeKey),
        receipts.map((r) => r.providerEventId ?? null),
        receipts.map((r) => JSON.stringify(r.parcelIds)),
      ],
    );
  }
}
