import { Inject, Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import { ID_GENERATOR, type IdGenerator } from '../shared/tokens';
import type { CarrierChannel } from '../claims/claim';

export type CarrierRequestKind = 'inquiry' | 'inquiry_status' | 'filing' | 'filing_status';

export interface CarrierRequest {
  readonly id: string;
  readonly claimId: string;
  readonly kind: CarrierRequestKind;
  readonly channel: CarrierChannel;
  /** The inquiry or filing the request is about. */
  readonly subjectId: string;
  readonly attempts: number;
}

export interface Inquiry {
  readonly id: string;
  readonly claimId: string;
  readonly channel: CarrierChannel;
  readonly carrierReference: string | null;
  readonly sentAt: Date | null;
  readonly answeredAt: Date | null;
  readonly outcome: string | null;
}

export interface Filing {
  readonly id: string;
  readonly claimId: string;
  readonly channel: CarrierChannel;
  readonly carrierReference: string | null;
  readonly carrierStatus: string | null;
  readonly claimedCurrency: string;
  readonly claimedMinor: bigint;
  readonly evidenceBundleId: string | null;
  readonly filedAt: Date | null;
}

/**
 * The carrier work queue (claims_carrier_requests) plus inquiries and filings. A request is written
 * with the state change that needs it; the CarrierWorker leases it (SKIP LOCKED + lease, so a
 * crashed worker's lease lapses and another takes it), calls the carrier outside any transaction,
 * and records the outcome in a new one.
 */
@Injectable()
export class CarrierRequestRepository {
  constructor(@Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  async enqueue(
    m: EntityManager,
    r: {
      claimId: string;
      kind: CarrierRequestKind;
      channel: CarrierChannel;
      subjectId: string;
      at: Date;
      notBefore?: Date;
    },
  ): Promise<string> {
    const id = this.ids('crq');
    await m.query(
      `INSERT INTO claims_carrier_requests (id, claim_id, kind, channel, subject_id, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
      [id, r.claimId, r.kind, r.channel, r.subjectId, r.notBefore ?? r.at, r.at],
    );
    return id;
  }

  /** Leases the next due request (or none) for `leaseMs`; committed at once by the caller's autocommit. */
  async lease(m: EntityManager, now: Date, leaseMs: number): Promise<CarrierRequest | undefined> {
    const rows = returnedRows<{
      id: string;
      claim_id: string;
      kind: CarrierRequestKind;
      channel: CarrierChannel;
      subject_id: string;
      attempts: number;
    }>(
      await m.query(
        `UPDATE claims_carrier_requests SET lease_until = $2, attempts = attempts + 1
          WHERE id = (SELECT id FROM claims_carrier_requests
                       WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
                       ORDER BY next_attempt_at FOR UPDATE SKIP LOCKED LIMIT 1)
          RETURNING id, claim_id, kind, channel, subject_id, attempts`,
        [now, new Date(now.getTime() + leaseMs)],
      ),
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          claimId: r.claim_id,
          kind: r.kind,
          channel: r.channel,
          subjectId: r.subject_id,
          attempts: r.attempts,
        }
      : undefined;
  }

  async done(m: EntityManager, id: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE claims_carrier_requests SET status = 'done', done_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1`,
      [id, at],
    );
  }

  async retryLater(m: EntityManager, id: string, at: Date, error: string, giveUp: boolean): Promise<void> {
    await m.query(
      `UPDATE claims_carrier_requests SET status = $4, next_attempt_at = $2, last_error = $3, lease_until = NULL WHERE id = $1`,
      [id, at, error.slice(0, 300), giveUp ? 'failed' : 'pending'],
    );
  }

  async cancelForClaim(m: EntityManager, claimId: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE claims_carrier_requests SET status = 'done', done_at = $2, last_error = 'claim closed'
        WHERE claim_id = $1 AND status = 'pending'`,
      [claimId, at],
    );
  }

  async createInquiry(m: EntityManager, claimId: string, channel: CarrierChannel, at: Date): Promise<string> {
    const id = this.ids('inq');
    await m.query(
      `INSERT INTO claims_inquiries (id, claim_id, channel, created_at) VALUES ($1, $2, $3, $4)`,
      [id, claimId, channel, at],
    );
    return id;
  }

  async inquiry(m: EntityManager, id: string): Promise<Inquiry | undefined> {
    const rows = (await m.query(`SELECT * FROM claims_inquiries WHERE id = $1`, [id])) as unknown[];
    const r = rows[0] as
      | {
          id: string;
          claim_id: string;
          channel: CarrierChannel;
          carrier_reference: string | null;
          sent_at: Date | null;
          answered_at: Date | null;
          outcome: string | null;
        }
      | undefined;
    return r
      ? {
          id: r.id,
          claimId: r.claim_id,
          channel: r.channel,
          carrierReference: r.carrier_reference,
          sentAt: r.sent_at,
          answeredAt: r.answered_at,
          outcome: r.outcome,
        }
      : undefined;
  }

  async openInquiryOf(m: EntityManager, claimId: string): Promise<Inquiry | undefined> {
    const rows = (await m.query(
      `SELECT id FROM claims_inquiries WHERE claim_id = $1 AND answered_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      [claimId],
    )) as Array<{ id: string }>;
    return rows[0] ? this.inquiry(m, rows[0].id) : undefined;
  }

  async inquirySent(m: EntityManager, id: string, reference: string | null, at: Date): Promise<void> {
    await m.query(`UPDATE claims_inquiries SET carrier_reference = $2, sent_at = $3 WHERE id = $1`, [
      id,
      reference,
      at,
    ]);
  }

  async inquiryAnswered(m: EntityManager, id: string, outcome: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE claims_inquiries SET outcome = $2, answered_at = $3 WHERE id = $1 AND answered_at IS NULL`,
      [id, outcome, at],
    );
  }

  async createFiling(
    m: EntityManager,
    f: { claimId: string; channel: CarrierChannel; claimedCurrency: string; claimedMinor: bigint; at: Date },
  ): Promise<string> {
    const id = this.ids('fil');
    await m.query(
      `INSERT INTO claims_filings (id, claim_id, channel, claimed_currency, claimed_minor, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, f.claimId, f.channel, f.claimedCurrency, f.claimedMinor.toString(), f.at],
    );
    return id;
  }

  async filing(m: EntityManager, id: string): Promise<Filing | undefined> {
    const rows = (await m.query(`SELECT * FROM claims_filings WHERE id = $1`, [id])) as Array<{
      id: string;
      claim_id: string;
      channel: CarrierChannel;
      carrier_reference: string | null;
      carrier_status: string | null;
      claimed_currency: string;
      claimed_minor: string;
      evidence_bundle_id: string | null;
      filed_at: Date | null;
    }>;
    const r = rows[0];
    return r
      ? {
          id: r.id,
          claimId: r.claim_id,
          channel: r.channel,
          carrierReference: r.carrier_reference,
          carrierStatus: r.carrier_status,
          claimedCurrency: r.claimed_currency,
          claimedMinor: BigInt(r.claimed_minor),
          evidenceBundleId: r.evidence_bundle_id,
          filedAt: r.filed_at,
        }
      : undefined;
  }

  async latestFilingOf(m: EntityManager, claimId: string): Promise<Filing | undefined> {
    const rows = (await m.query(
      `SELECT id FROM claims_filings WHERE claim_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [claimId],
    )) as Array<{ id: string }>;
    return rows[0] ? this.filing(m, rows[0].id) : undefined;
  }

  async filingSent(
    m: EntityManager,
    id: string,
    f: { reference: string | null; status: string; bundleId: string; at: Date },
  ) {
    await m.query(
      `UPDATE claims_filings SET carrier_reference = $2, carrier_status = $3, evidence_bundle_id = $4, filed_at = $5 WHERE id = $1`,
      [id, f.reference, f.status, f.bundleId, f.at],
    );
  }

  async filingStatus(m: EntityManager, id: string, status: string): Promise<void> {
    await m.query(`UPDATE claims_filings SET carrier_status = $2 WHERE id = $1`, [id, status]);
  }

  async addFilingMessages(
    m: EntityManager,
    filingId: string,
    messages: ReadonlyArray<{ id: string; author: string; body: string; at: Date }>,
  ): Promise<void> {
    for (const msg of messages) {
      await m.query(
        `INSERT INTO claims_filing_messages (filing_id, carrier_id, author, body, at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [filingId, msg.id, msg.author, msg.body, msg.at],
      );
    }
  }

  async filingMessages(m: EntityManager, filingId: string) {
    return (await m.query(
      `SELECT carrier_id AS id, author, body, at FROM claims_filing_messages WHERE filing_id = $1 ORDER BY at`,
      [filingId],
    )) as Array<{ id: string; author: string; body: string; at: Date }>;
  }
}
