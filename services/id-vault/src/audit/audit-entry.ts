import { scrubPersonalData } from '@portico/observability';

/**
 * What the vault audits. A small fixed set on purpose: it is also the `action` label of
 * `portico_vault_audit_entries_total`, so it must never grow with data (no ids, no free text).
 */
export const AUDIT_ACTIONS = [
  'create',
  'view',
  'approve',
  'reject',
  'relay',
  'download',
  'purge',
  'consent',
  'key_rotation',
  'revoke',
  'submit',
  'check_failed',
  'refuse',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted: a staff user, another service, a carrier or customs broker (through a grant), the resident, or the vault itself (purge jobs, key rotation). */
export const AUDIT_ACTOR_KINDS = ['user', 'service', 'carrier', 'broker', 'resident', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** A details value: ids, reason codes, verdicts, counts. Nested objects and arrays of the same are allowed. */
export type AuditDetailValue = string | number | boolean | null | AuditDetailValue[] | AuditDetails;
export interface AuditDetails {
  [key: string]: AuditDetailValue;
}

/** What a caller appends. Everything here is an id, a code or a verdict: never a name, a number off a card, a phone, an image. */
export interface AuditEntryInput {
  actor: { kind: AuditActorKind; id: string };
  action: AuditAction;
  /** Why the actor did it, as a purpose code (`customs_clearance`, `document_review`, `retention_expired` …). */
  purpose: string;
  subject?: { type: string; id: string } | null;
  caseId?: string | null;
  tenantId?: string | null;
  details?: AuditDetails;
  /** When it happened; defaults to the audit log's clock. Stored and hashed at millisecond precision. */
  occurredAt?: Date;
}

/** One row of audit_log, as hashed and as stored. */
export interface AuditRecord {
  seq: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  action: string;
  purpose: string;
  subjectType: string | null;
  subjectId: string | null;
  caseId: string | null;
  tenantId: string | null;
  details: AuditDetails;
  prevHash: Buffer;
  hash: Buffer;
}

/** An entry refused before it reached the database: nothing in the message repeats the offending value. */
export class AuditEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditEntryError';
  }
}

// Ids, codes and verdicts are short ASCII tokens. This alone keeps names out as far as a pattern can:
// Chinese names (no CJK allowed) and "Given Family" forms (no spaces allowed). A single Latin word
// cannot be told from a code by its shape; that names never enter is a rule for callers (pass a
// document id, never the person), reviewed in code, and this check is the safety net.
const TOKEN = /^[A-Za-z0-9._:/@+=#-]{1,200}$/;
const KEY = /^[a-z][A-Za-z0-9_]{0,63}$/;
// An 18-character resident ID number in any shape (the observability scrubber below only matches
// plausible birth dates; here anything that looks like one is refused). Bounded by non-alphanumerics
// so hex digests and uuids, which can contain long digit runs, are not mistaken for one.
const ID_NUMBER_LIKE = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/;
// Keys that name personal data, whatever their value (compared without case, `_` or `-`).
const PERSONAL_KEYS = new Set([
  'name',
  'fullname',
  'firstname',
  'lastname',
  'surname',
  'givenname',
  'recipientname',
  'holdername',
  'phone',
  'phonenumber',
  'mobile',
  'tel',
  'telephone',
  'email',
  'address',
  'idnumber',
  'idno',
  'idcard',
  'documentnumber',
  'residentid',
  'birthdate',
  'dateofbirth',
  'image',
  'imagebase64',
  'photo',
  'front',
  'back',
  'password',
  'secret',
  'token',
]);
const MAX_DEPTH = 4;
const MAX_DETAILS_BYTES = 4_096;

function looksPersonal(text: string): boolean {
  return ID_NUMBER_LIKE.test(text) || scrubPersonalData(text) !== text;
}

/** A token field (actor id, subject id, case id …): short ASCII, nothing that looks like an ID number or a phone. */
export function assertToken(field: string, value: unknown, optional = false): void {
  if (optional && (value === null || value === undefined)) return;
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new AuditEntryError(
      `audit ${field} must be an id or code of 1-200 characters [A-Za-z0-9._:/@+=#-]`,
    );
  }
  if (looksPersonal(value)) {
    throw new AuditEntryError(
      `audit ${field} looks like an ID number or a phone number; audit entries carry ids only`,
    );
  }
}

/**
 * Refuses details that could carry personal data: keys naming it, values shaped like an ID number or
 * a phone number (in keys too), free text (spaces, CJK), unsafe numbers (they would not survive jsonb
 * and JavaScript unchanged, and the hash must). Throws AuditEntryError naming the path, never the value.
 */
export function assertAuditDetails(details: unknown): asserts details is AuditDetails {
  if (!isPlainObject(details)) throw new AuditEntryError('audit details must be a plain object');
  walk(details, 'details', 0);
  if (Buffer.byteLength(JSON.stringify(details)) > MAX_DETAILS_BYTES) {
    throw new AuditEntryError(`audit details must be at most ${MAX_DETAILS_BYTES} bytes`);
  }
}

function walk(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new AuditEntryError(`${path}: nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AuditEntryError(`${path}: numbers must be safe integers`);
    if (looksPersonal(String(value)))
      throw new AuditEntryError(`${path}: looks like an ID number or a phone number`);
    return;
  }
  if (typeof value === 'string') {
    if (value === '') return;
    if (!TOKEN.test(value)) {
      throw new AuditEntryError(
        `${path}: values must be ids, codes or verdicts (1-200 characters [A-Za-z0-9._:/@+=#-])`,
      );
    }
    if (looksPersonal(value)) throw new AuditEntryError(`${path}: looks like an ID number or a phone number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (!KEY.test(key)) throw new AuditEntryError(`${path}: keys must match ${KEY.source}`);
      if (looksPersonal(key))
        throw new AuditEntryError(`${path}: a key looks like an ID number or a phone number`);
      if (PERSONAL_KEYS.has(key.replace(/[_-]/g, '').toLowerCase())) {
        throw new AuditEntryError(
          `${path}.${key}: this key names personal data, which never enters the audit log`,
        );
      }
      walk(item, `${path}.${key}`, depth + 1);
    }
    return;
  }
  throw new AuditEntryError(`${path}: unsupported value type ${typeof value}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Validates a caller's entry: fixed action and actor sets, tokens for every id, clean details. */
export function assertAuditEntry(entry: AuditEntryInput): void {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action)) {
    throw new AuditEntryError(`audit action must be one of ${AUDIT_ACTIONS.join(', ')}`);
  }
  if (!(AUDIT_ACTOR_KINDS as readonly string[]).includes(entry.actor?.kind)) {
    throw new AuditEntryError(`audit actor kind must be one of ${AUDIT_ACTOR_KINDS.join(', ')}`);
  }
  assertToken('actor id', entry.actor.id);
  assertToken('purpose', entry.purpose);
  if (entry.subject) {
    assertToken('subject type', entry.subject.type);
    assertToken('subject id', entry.subject.id);
  }
  assertToken('case id', entry.caseId, true);
  assertToken('tenant id', entry.tenantId, true);
  assertAuditDetails(entry.details ?? {});
  if (
    entry.occurredAt !== undefined &&
    !(entry.occurredAt instanceof Date && Number.isFinite(entry.occurredAt.getTime()))
  ) {
    throw new AuditEntryError('audit occurredAt must be a valid Date');
  }
}
