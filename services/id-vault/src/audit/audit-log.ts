import type { EntityManager } from 'typeorm';
import { auditEntryHash, GENESIS_HASH } from './audit-chain';
import { assertAuditEntry, type AuditDetails, type AuditEntryInput, type AuditRecord } from './audit-entry';
import { countAppend, type AuditMetrics } from './audit-metrics';

/** Anything that runs SQL: an EntityManager, a QueryRunner, a DataSource. */
export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** The newest row's position in the chain: what gets signed and exported. */
export interface AuditHead {
  seq: number;
  hash: Buffer;
}

// Any constant works; every process appending to this database must use the same one.
const AUDIT_APPEND_LOCK_KEY = 7_316_003_101;

export const AUDIT_COLUMNS =
  'seq, occurred_at, actor_kind, actor_id, action, purpose, subject_type, subject_id, case_id, tenant_id, details, prev_hash, hash';

export interface AuditRow {
  seq: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string;
  action: string;
  purpose: string;
  subject_type: string | null;
  subject_id: string | null;
  case_id: string | null;
  tenant_id: string | null;
  details: AuditDetails;
  prev_hash: Buffer;
  hash: Buffer;
}

export function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    action: row.action,
    purpose: row.purpose,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    caseId: row.case_id,
    tenantId: row.tenant_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The newest row (committed, or written by the caller's own transaction), or undefined while the log is empty. */
export async function readAuditHead(db: Queryable): Promise<AuditHead | undefined> {
  const rows: { seq: string; hash: Buffer }[] = await db.query(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : undefined;
}

export interface AuditLogOptions {
  metrics?: AuditMetrics;
  /** Clock for entries without occurredAt (injected so tests need no sleeping or mocking). */
  now?: () => Date;
}

/**
 * Appends to the audit log inside the caller's transaction, so an audited action and its audit row
 * commit or roll back together: there is no audited change without its entry, and no entry for a
 * change that did not happen.
 *
 * Appends are serialised by a transaction-scoped advisory lock taken before the head is read: the
 * next appender waits until this transaction commits or rolls back, then reads the head afresh
 * (READ COMMITTED takes a new snapshot per statement), so seq has no gaps and prev_hash is always
 * the committed predecessor's hash. The price is that audited transactions queue behind each other
 * from their append to their commit: append last, just before committing. Under REPEATABLE READ or
 * SERIALIZABLE the snapshot may predate the predecessor's commit; the primary key on seq then makes
 * the append fail (the caller retries) rather than fork the chain.
 */
export class AuditLog {
  private readonly now: () => Date;

  constructor(private readonly options: AuditLogOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async append(manager: EntityManager, entry: AuditEntryInput): Promise<AuditRecord> {
    assertAuditEntry(entry);
    // Outside a transaction the advisory lock would be released when its own statement ends, and
    // two appenders could read the same head.
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditLog.append must run inside the transaction of the audited action');
    }
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_APPEND_LOCK_KEY]);
    const head = await readAuditHead(manager);
    const occurredAt = new Date(Math.floor((entry.occurredAt ?? this.now()).getTime()));
    const fields = {
      seq: (head?.seq ?? 0) + 1,
      occurredAt,
      actorKind: entry.actor.kind,
      actorId: entry.actor.id,
      action: entry.action,
      purpose: entry.purpose,
      subjectType: entry.subject?.type ?? null,
      subjectId: entry.subject?.id ?? null,
      caseId: entry.caseId ?? null,
      tenantId: entry.tenantId ?? null,
      details: entry.details ?? {},
    };
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = auditEntryHash(prevHash, fields);
    await manager.query(
      `INSERT INTO audit_log (${AUDIT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)`,
      [
        fields.seq,
        occurredAt.toISOString(),
        fields.actorKind,
        fields.actorId,
        fields.action,
        fields.purpose,
        fields.subjectType,
        fields.subjectId,
        fields.caseId,
        fields.tenantId,
        JSON.stringify(fields.details),
        prevHash,
        hash,
      ],
    );
    countAppend(this.options.metrics, entry.action);
    return { ...fields, prevHash, hash };
  }
}
