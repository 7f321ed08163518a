/**
 * Comparison keys for building-level addresses. The directory import stores them next to what the
 * property system sent, and the carriers' recipient hints go through the same functions, so a
 * property matches whatever width, case, spacing or punctuation a carrier used. Deliberately exact
 * beyond that: a wrong match sends a resident's parcel request to someone else's steward, an
 * unmatched parcel only costs a front-desk lookup.
 */

const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

function folded(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** Street, number, compound and building: letters and digits only (`88 Century Ave., Tower A` -> `88centuryavetowera`). */
export function normaliseAddressLine(value: string): string {
  return folded(value).replace(NOT_LETTER_OR_DIGIT, '');
}

/** Postal codes: upper case, no spaces or dashes (`sw1a 1aa` -> `SW1A1AA`). */
export function normalisePostalCode(value: string): string {
  return value
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

/** Cities without the administrative suffix carriers add or drop (`上海市` = `上海`, `Shanghai City` = `shanghai`). */
export function normaliseCity(value: string): string {
  return folded(value)
    .replace(NOT_LETTER_OR_DIGIT, '')
    .replace(/(市|city)$/u, '');
}

export function normaliseCountryCode(value: string): string {
  return value.normalize('NFKC').trim().toUpperCase();
}

/** Unit labels without the words and separators around the number (`Flat 12-03`, `12－03室`, `#1203` -> `1203`). */
export function normaliseUnitLabel(value: string): string {
  return folded(value)
    .replace(/\b(unit|flat|room|apt|apartment|suite|rm)\b/gu, '')
    .replace(/[室号#]/gu, '')
    .replace(NOT_LETTER_OR_DIGIT, '');
}

/** A property's address as the directory keeps it for matching. */
export interface AddressKeys {
  readonly countryCode: string;
  readonly cityNorm: string;
  readonly postalCodeNorm: string;
  readonly addressLineNorm: string;
}

export function addressKeys(address: {
  country: string;
  city: string;
  postalCode: string;
  addressLine: string;
}): AddressKeys {
  return {
    countryCode: normaliseCountryCode(address.country),
    cityNorm: normaliseCity(address.city),
    postalCodeNorm: normalisePostalCode(address.postalCode),
    addressLineNorm: normaliseAddressLine(address.addressLine),
  };
}
