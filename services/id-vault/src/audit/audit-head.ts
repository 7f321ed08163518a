// Exported audit heads: what is signed and how, shared by the signer and the verifier.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { AuditHead } from './audit-log';

export const AUDIT_HEAD_VERSION = 'portico.id-vault.audit-head.v1';

/** One exported head: what was signed, by which key, and the signature. Ids and hashes only. */
export interface SignedAuditHead {
  seq: number;
  /** hex SHA-256 of the row at seq */
  hash: string;
  /** ISO-8601 UTC with milliseconds */
  signed_at: string;
  /** first 16 hex digits of SHA-256 of the signer's public key (SPKI DER): which key to verify with */
  key_id: string;
  /** base64 Ed25519 signature of auditHeadPayload(seq, hash, signed_at) */
  signature: string;
}

/** A line read back from an export: a head, or why the line is not one. */
export type ExportedHeadLine = { line: number; head: SignedAuditHead } | { line: number; malformed: string };

/** Where signed heads go. Implementations must be append-only and durable when append resolves. */
export interface AuditHeadSink {
  append(head: SignedAuditHead): Promise<void>;
  /** Every line, oldest first, streamed. */
  read(): AsyncIterable<ExportedHeadLine>;
}

/** The signed bytes: version prefix, then the three fields in a fixed order. */
export function auditHeadPayload(head: { seq: number; hash: string; signed_at: string }): Buffer {
  return Buffer.from(
    `${AUDIT_HEAD_VERSION}\n${JSON.stringify({ hash: head.hash, seq: String(head.seq), signed_at: head.signed_at })}`,
    'utf8',
  );
}

export function auditKeyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
}

export function signAuditHead(head: AuditHead, privateKey: KeyObject, signedAt: Date): SignedAuditHead {
  const fields = { seq: head.seq, hash: head.hash.toString('hex'), signed_at: signedAt.toISOString() };
  return {
    ...fields,
    key_id: auditKeyId(privateKey),
    signature: sign(null, auditHeadPayload(fields), privateKey).toString('base64'),
  };
}

/** True when the head is signed by one of the keys (matched by key_id, so old keys keep verifying after a rotation). */
export function verifyAuditHeadSignature(head: SignedAuditHead, publicKeys: readonly KeyObject[]): boolean {
  const key = publicKeys.find((k) => auditKeyId(k) === head.key_id);
  if (!key) return false;
  try {
    return verify(null, auditHeadPayload(head), key, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

export function parseHeadLine(text: string): SignedAuditHead | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const v = value as Partial<SignedAuditHead>;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Number.isSafeInteger(v.seq) ||
    (v.seq as number) < 1 ||
    typeof v.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.hash) ||
    typeof v.signed_at !== 'string' ||
    typeof v.key_id !== 'string' ||
    typeof v.signature !== 'string'
  ) {
    return 'missing or invalid fields';
  }
  return {
    seq: v.seq as number,
    hash: v.hash,
    signed_at: v.signed_at,
    key_id: v.key_id,
    signature: v.signature,
  };
}
