import { create } from '@bufbuild/protobuf';
import { createHmac } from 'node:crypto';
import { KeyedDigestSchema, type KeyedDigest } from './gen/portico/common/v1/digest_pb';

/**
 * Recipient names and phone numbers never travel between services; their keyed digests do, so
 * carrier-ingestion (from the waybill) and notification (from the property directory) can match a
 * parcel to a resident without either value leaving the service that holds it. HMAC, not a plain
 * hash: names and phone numbers are few enough to be guessed from an unkeyed hash.
 */
export type RecipientField = 'name' | 'phone';

export interface DigestKey {
  /** Published with the digest so a verifier picks the same key while keys rotate. */
  readonly id: string;
  readonly secret: string;
}

/**
 * The form both sides agree on before hashing: Unicode NFKC (full-width to ASCII), case-folded,
 * whitespace and separators removed; phone numbers keep their digits only, without a leading 86/0086
 * country code, so "+86 138-0013-8000" and "13800138000" match.
 */
export function normaliseRecipientValue(field: RecipientField, value: string): string {
  const folded = value.normalize('NFKC').toLowerCase();
  if (field === 'name') return folded.replace(/[\s\u00b7\u30fb.·'’-]+/gu, '');
  const digits = folded.replace(/\D+/g, '');
  return digits.replace(/^(00)?86(?=1\d{10}$)/, '');
}

export function recipientDigest(field: RecipientField, value: string, key: DigestKey): KeyedDigest {
  const mac = createHmac('sha256', key.secret)
    .update(`${field}:${normaliseRecipientValue(field, value)}`, 'utf8')
    .digest();
  return create(KeyedDigestSchema, { value: new Uint8Array(mac), keyId: key.id });
}

/** Whether a digest received in an event was made from `value` with one of `keys`. */
export function matchesRecipientDigest(
  digest: KeyedDigest | undefined,
  field: RecipientField,
  value: string,
  keys: readonly DigestKey[],
): boolean {
  if (!digest || digest.value.length === 0) return false;
  const key = keys.find((k) => k.id === digest.keyId);
  if (!key) return false;
  const expected = recipientDigest(field, value, key).value;
  return Buffer.from(expected).equals(Buffer.from(digest.value));
}
