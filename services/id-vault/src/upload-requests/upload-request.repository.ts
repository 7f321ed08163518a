import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { DocumentTypeName } from '../shared/document-types';
import type { Language, UploadRequest, UploadRequestStatus } from './upload-request';

export interface RequestRow {
  id: string;
  case_id: string;
  tenant_id: string;
  property_id: string | null;
  parcel_id: string;
  required_documents: DocumentTypeName[];
  language: Language;
  status: UploadRequestStatus;
  expires_at: Date;
  replaces_request_id: string | null;
  attempts: number;
  created_at: Date;
}

export function toRequest(r: RequestRow): UploadRequest {
  return {
    id: r.id,
    caseId: r.case_id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    parcelId: r.parcel_id,
    requiredDocuments: r.required_documents,
    language: r.language,
    status: r.status,
    expiresAt: r.expires_at,
    replacesRequestId: r.replaces_request_id,
    attempts: r.attempts,
    createdAt: r.created_at,
  };
}

export interface NewUploadRequest {
  readonly request: UploadRequest;
  readonly tokenHash: Buffer;
  readonly requestedBy: string;
  readonly idempotencyKey: string | null;
}

@Injectable()
export class UploadRequestRepository {
  async insert(m: EntityManager, n: NewUploadRequest): Promise<void> {
    const r = n.request;
    await m.query(
      `INSERT INTO upload_requests (id, case_id, tenant_id, property_id, parcel_id, required_documents, language,
                                    token_hash, status, expires_at, replaces_request_id, requested_by,
                                    idempotency_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        r.id,
        r.caseId,
        r.tenantId,
        r.propertyId,
        r.parcelId,
        r.requiredDocuments,
        r.language,
        n.tokenHash,
        r.status,
        r.expiresAt,
        r.replacesRequestId,
        n.requestedBy,
        n.idempotencyKey,
        r.createdAt,
      ],
    );
  }

  async findByIdempotencyKey(
    m: EntityManager,
    caseId: string,
    key: string,
  ): Promise<UploadRequest | undefined> {
    const rows = (await m.query(
      `SELECT * FROM upload_requests WHERE case_id = $1 AND idempotency_key = $2 FOR UPDATE`,
      [caseId, key],
    )) as RequestRow[];
    return rows[0] && toRequest(rows[0]);
  }

  async findOpenForCase(m: EntityManager, caseId: string): Promise<UploadRequest | undefined> {
    const rows = (await m.query(
      `SELECT * FROM upload_requests WHERE case_id = $1 AND status = 'open' FOR UPDATE`,
      [caseId],
    )) as RequestRow[];
    return rows[0] && toRequest(rows[0]);
  }

  /** The request a resident's token names, locked: concurrent uploads through one link queue here. */
  async findByTokenHash(
    m: EntityManager,
    hash: Buffer,
    opts: { lock?: boolean } = {},
  ): Promise<UploadRequest | undefined> {
    const rows = (await m.query(
      `SELECT * FROM upload_requests WHERE token_hash = $1${opts.lock ? ' FOR UPDATE' : ''}`,
      [hash],
    )) as RequestRow[];
    return rows[0] && toRequest(rows[0]);
  }

  async find(
    m: EntityManager,
    id: string,
    opts: { lock?: boolean } = {},
  ): Promise<UploadRequest | undefined> {
    const rows = (await m.query(
      `SELECT * FROM upload_requests WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`,
      [id],
    )) as RequestRow[];
    return rows[0] && toRequest(rows[0]);
  }

  async setStatus(m: EntityManager, id: string, status: UploadRequestStatus, at: Date): Promise<void> {
    await m.query(`UPDATE upload_requests SET status = $2, closed_at = $3 WHERE id = $1`, [id, status, at]);
  }

  /** Same request, new secret: the old token stops working in the same statement. */
  async rotateToken(m: EntityManager, id: string, tokenHash: Buffer, expiresAt: Date): Promise<void> {
    await m.query(`UPDATE upload_requests SET token_hash = $2, expires_at = $3 WHERE id = $1`, [
      id,
      tokenHash,
      expiresAt,
    ]);
  }

  async countAttempt(m: EntityManager, id: string): Promise<number> {
    const rows = returnedRows<{ attempts: number }>(
      await m.query(`UPDATE upload_requests SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, [
        id,
      ]),
    );
    return rows[0]!.attempts;
  }

  /** Every open link of a closed case stops working. */
  async revokeOpenForCase(m: EntityManager, caseId: string, at: Date): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE upload_requests SET status = 'revoked', closed_at = $2 WHERE case_id = $1 AND status = 'open' RETURNING id`,
        [caseId, at],
      ),
    );
    return rows.map((r) => r.id);
  }
}
