/**
 * Personal data must never leave a process through logs or traces. Two layers catch it:
 * key paths (a field called `name`, `phone`, `idNumber` … is censored whatever its value) and value
 * patterns (a resident ID number or a mobile number typed into free text is masked wherever it
 * appears, including in error messages and stack traces).
 */

export const REDACTED = '[redacted]';

/** Field names whose values are personal data or secrets, wherever they sit in a logged object. */
export const PERSONAL_DATA_KEYS = [
  'name',
  'fullName',
  'firstName',
  'lastName',
  'recipientName',
  'phone',
  'phoneNumber',
  'mobile',
  'email',
  'address',
  'idNumber',
  'documentNumber',
  'image',
  'imageBase64',
  'front',
  'back',
  'password',
  'secret',
  'token',
] as const;

/** Headers that carry credentials or signatures. Lower-case, as Node delivers them. */
export const SENSITIVE_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-internal-token',
  'webhook-signature',
  'x-webhook-signature',
  'x-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-aftership-hmac-sha256',
  'x-hmac-signature',
] as const;

/** Any header whose name looks like it carries a credential, even one not listed above. */
export const SENSITIVE_HEADER_PATTERN = /authorization|cookie|signature|hmac|token|api-key|secret/i;

const MAX_DEPTH = 4;

/**
 * pino `redact` paths for the keys above at depths 0..MAX_DEPTH (pino's wildcards match exactly one
 * level, so each depth is spelled out), plus request/response headers.
 */
export function redactPaths(extraKeys: readonly string[] = []): string[] {
  const paths = new Set<string>();
  for (const key of [...PERSONAL_DATA_KEYS, ...extraKeys]) {
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      paths.add([...Array<string>(depth).fill('*'), key].join('.'));
    }
  }
  for (const header of SENSITIVE_HEADERS) {
    for (const owner of ['req.headers', 'res.headers', 'headers', '*.headers']) {
      paths.add(`${owner}["${header}"]`);
    }
  }
  return [...paths];
}

// GB 11643 resident ID: 6-digit region, birth date 18xx/19xx/20xx, 3-digit sequence, check digit or X.
// Also the 15-digit first-generation number. Not preceded or followed by a digit or a letter, so
// hex trace ids and long numeric ids are left alone.
const RESIDENT_ID =
  /(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])/g;
// Mainland mobile numbers, optionally with +86/0086 and spaces or dashes in the usual 3-4-4 grouping.
const MOBILE = /(?<![0-9A-Za-z+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![0-9A-Za-z])/g;

export const MASKED_ID = '[id-number]';
export const MASKED_PHONE = '[phone]';

/** Masks resident ID numbers and mobile numbers in free text. */
export function scrubPersonalData(text: string): string {
  if (!/\d{11}|\d[\s-]\d{4}/.test(text)) return text; // cheap pre-check: nothing long enough to match
  return text.replace(RESIDENT_ID, MASKED_ID).replace(MOBILE, MASKED_PHONE);
}
