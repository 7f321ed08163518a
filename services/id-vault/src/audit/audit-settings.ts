import { setting, type ConfigOf } from '@portico/config';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * An Ed25519 private key as PEM (`-----BEGIN PRIVATE KEY-----`, literal `\n` accepted since env
 * variables are often one line) or as base64 of the PKCS#8 DER. Never in source: tests generate one.
 */
export function parseEd25519PrivateKey(raw: string): KeyObject {
  const text = raw.trim();
  const key = text.startsWith('-----BEGIN')
    ? createPrivateKey({ key: text.replace(/\\n/g, '\n'), format: 'pem' })
    : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return key;
}

/** An Ed25519 public key as PEM (SPKI) or base64 of the SPKI DER; a private key is accepted too and its public half used. */
export function parseEd25519PublicKey(raw: string): KeyObject {
  const text = raw.trim().replace(/\\n/g, '\n');
  let key: KeyObject;
  if (text.includes('PRIVATE KEY')) key = createPublicKey(createPrivateKey(text));
  else if (text.startsWith('-----BEGIN')) key = createPublicKey({ key: text, format: 'pem' });
  else key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return key;
}

const ed25519PrivateKey = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    try {
      return parseEd25519PrivateKey(raw);
    } catch {
      // The value is a secret: the message says what is wrong, never what was given.
      ctx.addIssue({ code: 'custom', message: 'must be an Ed25519 private key, PEM or base64 PKCS#8 DER' });
      return z.NEVER;
    }
  });

/**
 * The audit log's settings, to spread into `settings` in config.ts. Signing is off while
 * AUDIT_SIGNING_KEY or AUDIT_EXPORT_DIR is unset (local development); production must set both, or
 * a truncated tail of the audit log cannot be detected.
 */
export const auditSettings = {
  auditSigningKey: setting(
    'AUDIT_SIGNING_KEY',
    ed25519PrivateKey,
    'Ed25519 private key (PEM or base64 PKCS#8) signing the audit log head; its public key verifies the export',
    { secret: true },
  ),
  auditExportDir: setting(
    'AUDIT_EXPORT_DIR',
    z.string().min(1).optional(),
    'directory receiving the signed audit heads (JSON lines); in production a WORM/object-storage mount',
  ),
  auditSignIntervalSeconds: setting(
    'AUDIT_SIGN_INTERVAL_SECONDS',
    z.coerce.number().int().min(10).max(86_400).default(300),
    'how often the audit log head is signed and exported (only when it moved)',
  ),
};

export type AuditConfig = ConfigOf<typeof auditSettings>;
