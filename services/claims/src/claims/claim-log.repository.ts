import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ID_GENERATOR, type IdGenerator } from '../shared/tokens';

/** Kinds of entries in a claim's communication log (claims_claim_log). */
export type LogKind =
  | 'verification'
  | 'customer_explanation'
  | 'damage_assessment'
  | 'acknowledged'
  | 'inquiry_sent'
  | 'inquiry_answered'
  | 'decision'
  | 'filing_sent'
  | 'carrier_status'
  | 'service_level_breached';

export interface LogEntry {
  readonly id: string;
  readonly claimId: string;
  readonly kind: LogKind;
  readonly at: Date;
  readonly actorId: string | null;
  /** Structured facts (sources, outcomes, channels, references, amounts): never free text. */
  readonly details: Record<string, unknown>;
}

/**
 * The claim's own record of who was asked, what they answered, what the customer was told and what
 * went to and came from the carrier: the communication log of the evidence bundle.
 */
@Injectable()
export class ClaimLogRepository {
  constructor(@Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  async add(m: EntityManager, entry: Omit<LogEntry, 'id'>): Promise<void> {
    await m.query(
      `INSERT INTO claims_claim_log (id, claim_id, kind, at, actor_id, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [this.ids('clg'), entry.claimId, entry.kind, entry.at, entry.actorId, JSON.stringify(entry.details)],
    );
  }

  async list(m: EntityManager, claimId: string): Promise<LogEntry[]> {
    const rows = (await m.query(`SELECT * FROM claims_claim_log WHERE claim_id = $1 ORDER BY at, id`, [
      claimId,
    ])) as Array<{
      id: string;
      claim_id: string;
      kind: LogKind;
      at: Date;
      actor_id: string | null;
      details: Record<string, unknown>;
    }>;
    return rows.map((r) => ({
      id: r.id,
      claimId: r.claim_id,
      kind: r.kind,
      at: r.at,
      actorId: r.actor_id,
      details: r.details,
    }));
  }
}
