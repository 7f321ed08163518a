/**
 * Comparison keys for building-level addresses. The directory import stores them next to what the
 * property system sent, and the carriers' recipient hints go through the same functions, so a
 * property matches whatever width, case, spacing or punctuation a carrier used. Deliberately
 * narrow beyond that (house-number markers, a few street-word abbreviations, administrative
 * suffixes): a wrong match sends a resident's parcel request to someone else's steward, an
 * unmatched parcel only costs a front-desk lookup. Place names in other spellings are matched by
 * the alias table (address-places.ts), never by loosening these keys.
 *
 * A change of what normaliseAddressLine returns changes the stored `address_line_norm` of every
 * property: bump ADDRESS_KEYS_VERSION and add a migration that re-keys the properties (as
 * 1797300000001-address-line-keys.ts does), or stored properties stop matching.
 */
export const ADDRESS_KEYS_VERSION = 2;

const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;
const APOSTROPHES = /['’ʼ`]/gu;
const HAN = /\p{Script=Han}/u;

function folded(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** Whole words only: a street-type word and its abbreviations are one word for matching. */
const STREET_WORDS: ReadonlyMap<string, string> = new Map([
  ['rd', 'road'],
  ['st', 'street'],
  ['str', 'street'],
  ['ave', 'avenue'],
  ['av', 'avenue'],
  ['blvd', 'boulevard'],
  ['ln', 'lane'],
  ['hwy', 'highway'],
  ['bldg', 'building'],
  ['bld', 'building'],
  ['twr', 'tower'],
]);

/**
 * Street, number, compound and building: letters and digits only, house-number markers dropped
 * (`No. 88 Century Ave., Tower A` -> `88centuryavenuetowera`, `世纪大道88号` -> `世纪大道88`).
 * The number itself always stays, and two numbers stay apart (`Lane 88 No. 5` -> `lane88-5`, not
 * `Lane 885`). `号` is kept where it makes a word with what follows (`5号楼` building 5, `3号院`
 * compound 3), so `5号楼` and `5楼` (5th floor) never meet.
 */
export function normaliseAddressLine(value: string): string {
  const marked = folded(value)
    .replace(/號/gu, '号')
    .replace(/(\d)\s*号(?![楼樓院])/gu, '$1 ')
    .replace(/(^|[^\p{L}\p{N}])(?:no|nr|number)\.?\s*(?=\d)/gu, '$1 ')
    .replace(/#\s*(?=\d)/gu, ' ');
  const words = marked
    .split(NOT_LETTER_OR_DIGIT)
    .filter((w) => w !== '')
    .map((w) => STREET_WORDS.get(w) ?? w);
  let key = '';
  for (const w of words) {
    // separate two numbers that only a space or a dropped marker kept apart
    key += /\d$/u.test(key) && /^\d/u.test(w) ? `-${w}` : w;
  }
  return key;
}

/** Postal codes: upper case, no spaces or dashes (`sw1a 1aa` -> `SW1A1AA`). */
export function normalisePostalCode(value: string): string {
  return value
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

/** Trailing words of Latin place names that only say what kind of place it is, longest first. */
const LATIN_SUFFIXES: readonly (readonly string[])[] = [
  ['special', 'administrative', 'region'],
  ['autonomous', 'region'],
  ['new', 'district'],
  ['new', 'area'],
  ['xin', 'qu'],
  ['zizhiqu'],
  ['xinqu'],
  ['sar'],
  ['province'],
  ['sheng'],
  ['municipality'],
  ['city'],
  ['shi'],
  ['district'],
  ['qu'],
  ['county'],
  ['xian'],
  ['prefecture'],
];

/** Chinese administrative suffixes, longest first. */
const HAN_SUFFIXES = [
  '特别行政区',
  '特別行政區',
  '自治区',
  '自治區',
  '新区',
  '新區',
  '地区',
  '地區',
  '省',
  '市',
  '区',
  '區',
  '县',
  '縣',
];

/**
 * Province, city and district names without width, case, punctuation and the administrative
 * suffix carriers add or drop: `上海市` = `上海`, `Shanghai Shi` = `Shanghai City` = `shanghai`,
 * `南山区` = `南山`, `Nanshan District` = `Nanshan Qu` = `nanshan`, `浦东新区` = `浦东`. A Latin
 * suffix must be its own word (`Huangshi` keeps its `shi`), and a Chinese one is kept when one
 * character would be left (single-character names keep it: `沙县`, `城区`).
 */
export function placeKey(value: string): string {
  const words = folded(value)
    .replace(APOSTROPHES, '')
    .split(NOT_LETTER_OR_DIGIT)
    .filter((w) => w !== '');
  let trimmed = true;
  while (trimmed) {
    trimmed = false;
    for (const suffix of LATIN_SUFFIXES) {
      if (
        words.length > suffix.length &&
        suffix.every((s, i) => words[words.length - suffix.length + i] === s)
      ) {
        words.splice(words.length - suffix.length);
        trimmed = true;
        break;
      }
    }
  }
  let key = words.join('');
  if (!HAN.test(key)) return key;
  trimmed = true;
  while (trimmed) {
    trimmed = false;
    for (const suffix of HAN_SUFFIXES) {
      if (key.endsWith(suffix) && [...key].length - [...suffix].length >= 2) {
        key = key.slice(0, -suffix.length);
        trimmed = true;
        break;
      }
    }
  }
  return key;
}

/** Whether a place key is written in Chinese characters (then it can only equal a Chinese key). */
export function isHanKey(key: string): boolean {
  return HAN.test(key);
}

/** Cities as placeKey compares them (kept for the stored `city_norm` column). */
export function normaliseCity(value: string): string {
  return placeKey(value);
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
