import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@portico/messaging';

/** One row of `clearance_status_links`, without the token hash (no reader needs it back). */
export interface StatusLink {
  readonly id: string;
  readonly caseId: string;
  readonly tenantId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  /** `service:<name>` or `person:<subject>`: who issued it. */
  readonly createdBy: string;
  readonly revokedBy: string | null;
}

interface LinkRow {
  id: string;
  case_id: string;
  tenant_id: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  created_by: string;
  revoked_by: string | null;
}

const COLUMNS = 'id, case_id, tenant_id, created_at, expires_at, revoked_at, created_by, revoked_by';

function toLink(r: LinkRow): StatusLink {
  return {
    id: r.id,
    caseId: r.case_id,
    tenantId: r.tenant_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    createdBy: r.created_by,
    revokedBy: r.revoked_by,
  };
}

/** All SQL for status links; runs in the manager it is given. */
@Injectable()
export class StatusLinkRepository {
  async insert(m: EntityManager, link: StatusLink, tokenHash: Buffer): Promise<void> {
    await m.query(
      `INSERT INTO clearance_status_links (${COLUMNS}, token_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        link.id,
        link.caseId,
        link.tenantId,
        link.createdAt,
        link.expiresAt,
        link.revokedAt,
        link.createdBy,
        link.revokedBy,
        tokenHash,
      ],
    );
  }

  /** The link whose token hashes to `tokenHash` (an equality lookup on the unique index). */
  async findByTokenHash(m: EntityManager, tokenHash: Buffer): Promise<StatusLink | undefined> {
    const rows = await m.query<LinkRow[]>(
      `SELECT ${COLUMNS} FROM clearance_status_links WHERE token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ? toLink(rows[0]) : undefined;
  }

  async findById(m: EntityManager, id: string, options: { lock: boolean }): Promise<StatusLink | undefined> {
    const rows = await m.query<LinkRow[]>(
      `SELECT ${COLUMNS} FROM clearance_status_links WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toLink(rows[0]) : undefined;
  }

  /** Marks the link revoked unless it already is; the row as it is afterwards. */
  async revoke(m: EntityManager, id: string, at: Date, by: string): Promise<StatusLink | undefined> {
    const rows = returnedRows<LinkRow>(
      await m.query(
        `UPDATE clearance_status_links SET revoked_at = $2, revoked_by = $3
          WHERE id = $1 AND revoked_at IS NULL
          RETURNING ${COLUMNS}`,
        [id, at, by],
      ),
    );
    return rows[0] ? toLink(rows[0]) : undefined;
  }
}
