import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Language } from '../upload-requests/upload-request';
import type { Consent } from './consent';

export interface ConsentRow {
  id: string;
  request_id: string;
  text_version: string;
  purpose: string;
  recipient: string;
  retention_days: number;
  language: Language;
  given_at: Date;
  withdrawn_at: Date | null;
}

export function toConsent(r: ConsentRow): Consent {
  return {
    id: r.id,
    requestId: r.request_id,
    textVersion: r.text_version,
    terms: { purpose: r.purpose, recipient: r.recipient, retentionDays: r.retention_days },
    language: r.language,
    givenAt: r.given_at,
    withdrawnAt: r.withdrawn_at,
  };
}

@Injectable()
export class ConsentRepository {
  async insert(m: EntityManager, c: Consent): Promise<void> {
    await m.query(
      `INSERT INTO consents (id, request_id, text_version, purpose, recipient, retention_days, language, given_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        c.id,
        c.requestId,
        c.textVersion,
        c.terms.purpose,
        c.terms.recipient,
        c.terms.retentionDays,
        c.language,
        c.givenAt,
      ],
    );
  }

  /** The consent in force for a request: the latest one given and not withdrawn. */
  async activeFor(m: EntityManager, requestId: string): Promise<Consent | undefined> {
    const rows = (await m.query(
      `SELECT * FROM consents WHERE request_id = $1 AND withdrawn_at IS NULL ORDER BY given_at DESC LIMIT 1`,
      [requestId],
    )) as ConsentRow[];
    return rows[0] && toConsent(rows[0]);
  }

  async withdraw(m: EntityManager, requestId: string, at: Date): Promise<string[]> {
    const rows = (await m.query(
      `UPDATE consents SET withdrawn_at = $2 WHERE request_id = $1 AND withdrawn_at IS NULL RETURNING id`,
      [requestId, at],
    )) as [Array<{ id: string }>, number];
    return rows[0].map((r) => r.id);
  }
}
