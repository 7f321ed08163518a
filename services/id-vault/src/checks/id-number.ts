import { compareDates, isRealDate, shanghaiDate } from './calendar-date';

/**
 * Sanity checks on a typed 18-digit citizen identity number (GB 11643-1999): catches typos and
 * invented numbers on the spot, before a steward or customs does days later. It cannot tell whether
 * the number belongs to the resident; the steward compares it with the photographed card.
 *
 * Layout: 6-digit address code (GB/T 2260: province, prefecture, county), 8-digit birth date
 * YYYYMMDD, 3-digit sequence, 1 check character (ISO 7064 MOD 11-2, '0'-'9' or 'X' for 10).
 *
 * Precedence: format and check character first. When they fail, nothing else is reported: the
 * likeliest cause is one mistyped digit, and "the birth date is impossible" on top of "check the
 * number" would send the resident looking for the wrong mistake. When the checksum holds, birth date
 * and region are both checked and both reported (a number can pass MOD 11-2 and still be invented).
 * A malformed number (wrong length, letters) is reported as the checksum failure: the proto has no
 * separate format code and the resident's fix is the same, re-read the number.
 */
export type IdNumberFailureCode = 'id_number_checksum' | 'id_number_birth_date' | 'id_number_region';

/** The earliest birth year accepted: nobody alive was born before it. */
export const EARLIEST_BIRTH_YEAR = 1900;

/**
 * Province-level codes of GB/T 2260 used in mainland identity numbers: 11-15 (Beijing, Tianjin,
 * Hebei, Shanxi, Inner Mongolia), 21-23 (Liaoning, Jilin, Heilongjiang), 31-37 (Shanghai ... Shandong),
 * 41-46 (Henan ... Hainan), 50-54 (Chongqing, Sichuan, Guizhou, Yunnan, Tibet), 61-65 (Shaanxi ...
 * Xinjiang).
 */
const MAINLAND_PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65,
]);

/**
 * Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, since 2018) carry a
 * GB 11643 number whose address code is exactly 810000 (Hong Kong), 820000 (Macao) or 830000
 * (Taiwan) -- no prefecture or county. 83 is not a GB/T 2260 province: it was assigned for these
 * permits. 71 (Taiwan in GB/T 2260) is refused: no issued identity or permit number uses it; Taiwan
 * residents' permits use 83.
 */
const RESIDENCE_PERMIT_ADDRESS_CODES = new Set(['810000', '820000', '830000']);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

/** NFKC turns full-width digits and 'Ｘ' into ASCII; residents type spaces to group digits. */
export function normaliseIdNumber(input: string): string {
  return input.normalize('NFKC').replace(/\s+/gu, '').toUpperCase();
}

/** ISO 7064 MOD 11-2 check character for the first 17 digits (weights 2^(17-i) mod 11). */
export function idNumberCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('expected 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Every failed check for the typed number, empty when it passes. `reference` is the instant the
 * birth date must not be after (normally now, passed in so the rule is testable).
 */
export function checkIdNumber(input: string, reference: Date): IdNumberFailureCode[] {
  const id = normaliseIdNumber(input);
  if (!/^\d{17}[\dX]$/.test(id) || idNumberCheckCharacter(id.slice(0, 17)) !== id[17]) {
    return ['id_number_checksum'];
  }
  const failures: IdNumberFailureCode[] = [];
  if (!isPlausibleBirthDate(id.slice(6, 14), reference)) failures.push('id_number_birth_date');
  if (!isKnownAddressCode(id.slice(0, 6))) failures.push('id_number_region');
  return failures;
}

function isPlausibleBirthDate(yyyymmdd: string, reference: Date): boolean {
  const date = {
    year: Number(yyyymmdd.slice(0, 4)),
    month: Number(yyyymmdd.slice(4, 6)),
    day: Number(yyyymmdd.slice(6, 8)),
  };
  return (
    isRealDate(date.year, date.month, date.day) &&
    date.year >= EARLIEST_BIRTH_YEAR &&
    compareDates(date, shanghaiDate(reference)) <= 0
  );
}

/**
 * Province must exist and the prefecture must not be 00 (a bare province code never appears in an
 * issued number). County-level codes are not checked: GB/T 2260 has changed them every year since
 * 1980 while numbers issued under old codes stay valid for life, so a county list would refuse real
 * people.
 */
function isKnownAddressCode(code: string): boolean {
  if (RESIDENCE_PERMIT_ADDRESS_CODES.has(code)) return true;
  return MAINLAND_PROVINCES.has(Number(code.slice(0, 2))) && code.slice(2, 4) !== '00';
}
