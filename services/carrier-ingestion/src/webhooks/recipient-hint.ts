import { create } from '@bufbuild/protobuf';
import { carrier, recipientDigest, type DigestKey } from '@portico/contracts';
import { REDACTED, scrubPersonalData } from '@portico/observability';
import type { RecipientDetails } from './tracking-update';

/**
 * The recipient as it may leave carrier-ingestion (see RecipientHint in proto/portico/carrier/v1):
 * name and phone only as keyed digests, the address at building level plus the unit. Carriers put
 * names and numbers in odd places (an address line "张三 13800138000 88 Century Ave", a description
 * "signed by 张三"), so every free-text field that is published goes through `scrubber` first.
 * `scrub` is the update's scrubber when the caller has built it already (its patterns are compiled
 * per recipient: building it once per update instead of once per use halves that cost).
 */
export function recipientHint(
  recipient: RecipientDetails | undefined,
  digestKey: DigestKey,
  scrub: (text: string) => string = scrubberFor(recipient),
): carrier.RecipientHint | undefined {
  if (!recipient) return undefined;
  const text = (v: string | undefined) => (v === undefined ? '' : scrub(collapse(v)));
  const name = recipient.name?.trim();
  const phone = recipient.phone?.trim();
  return create(carrier.RecipientHintSchema, {
    countryCode: recipient.country ?? '',
    region: text(recipient.region),
    city: text(recipient.city),
    district: text(recipient.district),
    postalCode: text(recipient.postalCode).replace(/\s+/g, ''),
    addressLine: text(recipient.addressLine),
    unit: text(recipient.unit),
    nameDigest: name ? recipientDigest('name', name, digestKey) : undefined,
    phoneDigest: phone && /\d/.test(phone) ? recipientDigest('phone', phone, digestKey) : undefined,
  });
}

/** Unicode NFKC (full-width to ASCII) with whitespace runs collapsed, as the directory normalises. */
function collapse(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/**
 * A function removing personal data from published free text: the recipient's own name and phone
 * number wherever they appear (also with different spacing or separators), then any mainland mobile
 * or resident ID number (libs/observability's patterns).
 */
export function scrubberFor(recipient: RecipientDetails | undefined): (text: string) => string {
  const patterns: RegExp[] = [];
  const name = recipient?.name ? collapse(recipient.name) : '';
  // Two characters are a full Chinese name; a single one would redact half the address.
  if ([...name.replace(/\s/g, '')].length >= 2) {
    const chars = [...name.replace(/\s/g, '')].map(escapeRegExp);
    patterns.push(new RegExp(chars.join('\\s*'), 'giu'));
  }
  const digits = recipient?.phone?.replace(/\D/g, '') ?? '';
  const local = digits.replace(/^(00)?86(?=1\d{10}$)/, '');
  if (local.length >= 5) {
    // the digits with any separators between them, optionally behind +86 / 0086
    patterns.push(new RegExp(`(?:(?:\\+|00)?86[\\s-]*)?${[...local].join('[\\s().-]*')}`, 'g'));
  }
  return (text: string) => {
    let out = text.normalize('NFKC');
    for (const p of patterns) out = out.replace(p, REDACTED);
    return scrubPersonalData(out);
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
