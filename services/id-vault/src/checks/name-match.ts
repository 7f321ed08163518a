import { matchesRecipientDigest, type DigestKey, type common } from '@portico/contracts';

/**
 * The vault never learns the waybill's recipient name, only its keyed digest (carrier-ingestion
 * computes it from the waybill). So the typed name is digested the same way and compared; the
 * normalisation both sides agree on (NFKC, case, spaces, middle dots) lives in
 * `normaliseRecipientValue` in @portico/contracts and is reused, not repeated, here.
 *
 * One gap: that normalisation does not yet drop some separators residents type in transliterated
 * names (• U+2022 bullet, ‧ U+2027 hyphenation point, ∙ U+2219, ⋅ U+22C5). Until it does, they are
 * mapped here to the middle dot it already drops. This only helps when the resident typed such a
 * character; a waybill name that contains one is digested with it, and no mapping on our side can
 * match that -- the fix belongs in libs/contracts.
 */
const SEPARATORS_NOT_YET_NORMALISED = /[\u2022\u2027\u2219\u22c5]/gu;

/**
 * Whether the typed name matches the waybill's. False without a digest or without the key that made
 * it (nothing can be confirmed); whether a missing digest counts against the resident is the
 * caller's decision (runDocumentChecks skips the check when the waybill carried no name).
 */
export function nameMatchesWaybill(
  typedName: string,
  waybillNameDigest: common.KeyedDigest | undefined,
  keys: readonly DigestKey[],
): boolean {
  const candidates = new Set([typedName, typedName.replace(SEPARATORS_NOT_YET_NORMALISED, '\u00b7')]);
  for (const candidate of candidates) {
    if (matchesRecipientDigest(waybillNameDigest, 'name', candidate, keys)) return true;
  }
  return false;
}
