// The hash chain of the vault's audit log: pure functions, no I/O.
//
// Each row's hash covers its own content and its predecessor's hash, so a row cannot be edited,
// removed or reordered without breaking every later link: an attacker with write access to the
// database (the append-only trigger can be disabled by the table owner or a superuser) has to
// recompute the chain from the changed row onwards. What makes that visible is the signed head
// exported outside the database (audit-head-signer.ts): a rewritten chain no longer ends in, or
// passes through, a hash that was signed earlier. What the chain cannot protect against: someone who
// can rewrite the whole chain AND the exported signed heads (or holds the signing key and the export
// store); and changes after the last signed head are only caught once the next head is signed
// from the honest chain, or by the verifier run against the database itself (links, seq gaps).
import { createHash } from 'node:crypto';
import type { AuditDetails, AuditDetailValue, AuditRecord } from './audit-entry';

/**
 * Version prefix of the canonical form. Any change to what is hashed or how gets a new version, and
 * the verifier keeps the old serialisation for rows written under it.
 */
export const AUDIT_CHAIN_VERSION = 'portico.id-vault.audit.v1';

/** prev_hash of the first row. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** Everything hashed for one row: the row without its own hash and without prev_hash (which is chained in, not serialised). */
export type AuditHashedFields = Omit<AuditRecord, 'hash' | 'prevHash'>;

/**
 * The bytes of an entry that are hashed: `<version>\n<JSON>` where the JSON has every field (absent
 * ones as null), object keys sorted at every depth, seq as a decimal string and the timestamp as
 * an ISO-8601 UTC string with milliseconds. Independent of key insertion order, and of jsonb, which
 * stores object keys in its own order.
 */
export function canonicalAuditEntry(entry: AuditHashedFields): string {
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1)
    throw new Error('audit seq must be a positive integer');
  const fields = {
    action: entry.action,
    actor_id: entry.actorId,
    actor_kind: entry.actorKind,
    case_id: entry.caseId ?? null,
    details: entry.details ?? {},
    occurred_at: entry.occurredAt.toISOString(),
    purpose: entry.purpose,
    seq: String(entry.seq),
    subject_id: entry.subjectId ?? null,
    subject_type: entry.subjectType ?? null,
    tenant_id: entry.tenantId ?? null,
  };
  return `${AUDIT_CHAIN_VERSION}\n${stableStringify(fields)}`;
}

/** hash = SHA-256(prev_hash || canonical entry). */
export function auditEntryHash(prevHash: Buffer, entry: AuditHashedFields): Buffer {
  if (prevHash.length !== 32) throw new Error('audit prev_hash must be 32 bytes');
  return createHash('sha256').update(prevHash).update(canonicalAuditEntry(entry), 'utf8').digest();
}

/** JSON with object keys sorted (by UTF-16 code unit, which is what Array.prototype.sort does) at every depth. */
export function stableStringify(value: AuditDetailValue | Record<string, unknown>): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('audit values must be finite');
    if (value === undefined) throw new Error('audit values must not be undefined');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
  const object = value as AuditDetails;
  const keys = Object.keys(object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(object[k])}`).join(',')}}`;
}
