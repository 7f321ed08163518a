import { Injectable } from '@nestjs/common';
import { namedStatement } from '@portico/messaging';
import type { IntakeTx } from './intake-transactions';

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

/** A delivery's dedupe key, as `archive` claims it. */
export interface DedupeClaim {
  readonly carrierAccountId: string;
  readonly dedupeKey: string;
  readonly firstSeenAt: Date;
  readonly receiptId: string;
}

/**
 * One statement for the whole batch: the dedupe claim is a data-modifying CTE the archive insert
 * reads, so a group commit spends one round trip (not two) on both, and a receipt's outcome is
 * decided in the same statement that stores it.
 */
const ARCHIVE = namedStatement(
  'intake_archive_v1',
  `WITH claimed AS (
     INSERT INTO webhook_dedupe (carrier_account_id, dedupe_key, first_seen_at, receipt_id)
     SELECT a, k, f, r
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::uuid[]) WITH ORDINALITY AS t(a, k, f, r, n)
      ORDER BY n
     ON CONFLICT (carrier_account_id, dedupe_key) DO NOTHING
     RETURNING receipt_id
   )
   INSERT INTO webhook_receipts
     (id, received_at, carrier_account_id, provider, headers, body, outcome, dedupe_key, provider_event_id, parcel_ids)
   SELECT t.id, t.received_at, t.account, t.provider, t.headers::jsonb, t.body,
          CASE WHEN c.receipt_id IS NULL THEN 'duplicate' ELSE 'accepted' END,
          t.dedupe_key, t.event_id, ARRAY(SELECT jsonb_array_elements_text(t.parcels::jsonb))
     FROM unnest($5::uuid[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::bytea[],
                 $11::text[], $12::text[], $13::text[])
          AS t(id, received_at, account, provider, headers, body, dedupe_key, event_id, parcels)
     LEFT JOIN claimed c ON c.receipt_id = t.id
   RETURNING id, outcome`,
);

/** All SQL of the intake transaction for dedupe keys and the raw archive. Runs in the transaction it is given. */
@Injectable()
export class WebhookRepository {
  /**
   * Claims the deliveries' dedupe keys and archives every delivery byte for byte, in one statement;
   * answers each receipt's outcome by id: 'accepted' when it claimed its key, else 'duplicate' (the
   * account has seen the key before). A concurrent transaction inserting the same key makes this
   * one wait until it commits (then: duplicate) or rolls back (then: accepted). Callers pass the
   * claims sorted, so concurrent batches lock in one order, and only the first receipt of each key.
   */
  async archive(
    tx: IntakeTx,
    claims: readonly DedupeClaim[],
    receipts: readonly Omit<WebhookReceipt, 'outcome'>[],
  ): Promise<Map<string, ReceiptOutcome>> {
    if (receipts.length === 0) return new Map();
    // parcel_ids is an array per row, which unnest cannot take as a 2-D array of ragged rows:
    // it travels as one JSON array per row and is unpacked in SQL.
    const rows = await tx.query<{ id: string; outcome: ReceiptOutcome }>(ARCHIVE, [
      claims.map((k) => k.carrierAccountId),
      claims.map((k) => k.dedupeKey),
      claims.map((k) => k.firstSeenAt),
      claims.map((k) => k.receiptId),
      receipts.map((r) => r.id),
      receipts.map((r) => r.receivedAt),
      receipts.map((r) => r.carrierAccountId),
      receipts.map((r) => r.provider),
      receipts.map((r) => JSON.stringify(r.headers)),
      receipts.map((r) => r.body),
      receipts.map((r) => r.dedupeKey),
      receipts.map((r) => r.providerEventId ?? null),
      receipts.map((r) => JSON.stringify(r.parcelIds)),
    ]);
    return new Map(rows.map((r) => [r.id, r.outcome]));
  }
}
