import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { toCase, type CaseRow } from '../cases/vault-case.repository';
import type { VaultCase } from '../cases/vault-case';
import type { Consent } from '../documents/consent';
import { toConsent, type ConsentRow } from '../documents/consent.repository';
import type { VaultDocument } from '../documents/vault-document';
import { DOCUMENT_INSERT_COLUMNS, documentInsertValues } from '../documents/vault-document.repository';
import type { UploadRequest } from '../upload-requests/upload-request';
import { toRequest, type RequestRow } from '../upload-requests/upload-request.repository';

const CASE_COLUMNS = [
  'case_id',
  'tenant_id',
  'property_id',
  'parcel_id',
  'carrier_code',
  'tracking_number',
  'required_documents',
  'deadline',
  'recipient_name_digest',
  'state',
  'closed_at',
] as const;
const CONSENT_COLUMNS = [
  'id',
  'request_id',
  'text_version',
  'purpose',
  'recipient',
  'retention_days',
  'language',
  'given_at',
  'withdrawn_at',
] as const;

/** `c.case_id AS c__case_id, ...`: the joined tables share column names. */
const aliased = (table: string, columns: readonly string[]) =>
  columns.map((c) => `${table}.${c} AS ${table}__${c}`).join(', ');

function unprefixed<T>(row: Record<string, unknown>, table: string, columns: readonly string[]): T {
  return Object.fromEntries(columns.map((c) => [c, row[`${table}__${c}`]])) as T;
}

/**
 * The resident upload's SQL, shaped for few round trips (issue 6: from 26 to 10 for an ID card):
 * the link, its case and its consent in one read; the link's lock, attempt count and status in one
 * statement; the document inserted under the consent read by that same statement. What each check
 * sees is what it saw as separate queries: see each method for why.
 */
@Injectable()
export class UploadSubmissionRepository {
  /** The link, its case and its active consent, before the checks (no lock: re-checked in `claim`). */
  async resolve(
    m: EntityManager,
    tokenHash: Buffer,
  ): Promise<
    { request: UploadRequest; vaultCase: VaultCase | undefined; consent: Consent | undefined } | undefined
  > {
    const rows = (await m.query(
      `SELECT r.*, ${aliased('c', CASE_COLUMNS)}, ${aliased('k', CONSENT_COLUMNS)}
         FROM upload_requests r
         LEFT JOIN vault_cases c ON c.case_id = r.case_id
         LEFT JOIN LATERAL (
           SELECT * FROM consents WHERE request_id = r.id AND withdrawn_at IS NULL ORDER BY given_at DESC LIMIT 1
         ) k ON true
        WHERE r.token_hash = $1`,
      [tokenHash],
    )) as Array<RequestRow & Record<string, unknown>>;
    const row = rows[0];
    if (!row) return undefined;
    return {
      request: toRequest(row),
      vaultCase: row['c__case_id'] ? toCase(unprefixed<CaseRow>(row, 'c', CASE_COLUMNS)) : undefined,
      consent: row['k__id'] ? toConsent(unprefixed<ConsentRow>(row, 'k', CONSENT_COLUMNS)) : undefined,
    };
  }

  /**
   * Locks the link's row, counts the attempt and, when `submittedAt` is given (the checks passed),
   * marks the link submitted, in one statement; answers the row as it was before, which the caller
   * checks for usability and throws on (rolling the count and the status back). `FOR UPDATE` waits
   * for a concurrent upload or withdrawal and then reads its committed row, as the separate lock did.
   */
  async claim(
    m: EntityManager,
    requestId: string,
    submittedAt: Date | null,
  ): Promise<{ request: UploadRequest; attempt: number } | undefined> {
    const rows = (await m.query(
      `WITH before AS (SELECT * FROM upload_requests WHERE id = $1 FOR UPDATE),
            counted AS (
              UPDATE upload_requests u
                 SET attempts = u.attempts + 1,
                     status = CASE WHEN $2::timestamptz IS NULL THEN u.status ELSE 'submitted' END,
                     closed_at = CASE WHEN $2::timestamptz IS NULL THEN u.closed_at ELSE $2::timestamptz END
                FROM before WHERE u.id = before.id
              RETURNING u.attempts)
       SELECT before.*, counted.attempts AS attempt FROM before, counted`,
      [requestId, submittedAt],
    )) as Array<RequestRow & { attempt: number }>;
    const row = rows[0];
    return row && { request: toRequest(row), attempt: row.attempt };
  }

  /**
   * Inserts the document under the link's active consent, read by this statement: it runs after
   * `claim` took the row lock, and READ COMMITTED gives each statement a fresh snapshot, so a
   * withdrawal that committed while we waited is seen and nothing is inserted (undefined). Also
   * answers whether the case holds rejected documents this upload supersedes (purged next).
   */
  async insertUnderConsent(
    m: EntityManager,
    d: Omit<VaultDocument, 'consentId'>,
  ): Promise<{ consent: Consent; supersedesRejected: boolean } | undefined> {
    const rows = (await m.query(
      `WITH k AS (
         SELECT * FROM consents WHERE request_id = $2 AND withdrawn_at IS NULL ORDER BY given_at DESC LIMIT 1
       ), inserted AS (
         INSERT INTO documents (${DOCUMENT_INSERT_COLUMNS})
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11::text, k.id), $12, $13, $14::jsonb, $15, $16
           FROM k
         RETURNING id
       )
       SELECT k.*, (SELECT count(*) FROM inserted)::int AS inserted,
              EXISTS (SELECT 1 FROM documents o
                       WHERE o.case_id = $3 AND o.status = 'rejected' AND o.submitted_at <= $16) AS supersedes
         FROM k`,
      // consent_id null: the statement takes the consent it read ($11 falls back to k.id).
      documentInsertValues(d, null),
    )) as Array<ConsentRow & { inserted: number; supersedes: boolean }>;
    const row = rows[0];
    if (!row) return undefined;
    if (row.inserted !== 1) throw new Error('document insert under consent wrote no row');
    return { consent: toConsent(row), supersedesRejected: row.supersedes };
  }
}
