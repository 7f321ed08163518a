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

/** Headers that carry credentials, signatures or the client's address. Lower-case, as Node delivers them. */
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
  // a client's IP address is personal data: the headers a proxy puts it in
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'x-client-ip',
] as const;

/** Any header whose name looks like it carries a credential, even one not listed above. */
export const SENSITIVE_HEADER_PATTERN = /authorization|cookie|signature|hmac|token|api-key|secret/i;

/**
 * Censors personal-data keys in one JSON log line, at any depth (objects and arrays), and credential
 * headers in any `headers` object (listed or matching SENSITIVE_HEADER_PATTERN, any case): the
 * values become REDACTED. It works on the line as serialized, so whatever a serializer or a class
 * instance turned into JSON is covered too.
 *
 * Why not pino's `redact`: spelling the keys out for every depth took ~150 wildcard paths, and
 * fast-redact then cost 0.3 to 1 ms per line (measured in carrier-ingestion's intake, where it was
 * most of the log line's cost). Here a line without any of the keys, most of them, costs one regex
 * test; one with a key is parsed, censored and serialized again (a few microseconds).
 */
export function personalDataCensor(extraKeys: readonly string[] = []): (line: string) => string {
  const keys = new Set<string>([...PERSONAL_DATA_KEYS, ...extraKeys]);
  // a key as JSON writes it: `"name":` (inside a string value it would read `\"name\":`)
  const hint = new RegExp(`"(?:${[...keys, 'headers'].map(escapeRegExp).join('|')})":`);
  return (line) => {
    if (!hint.test(line)) return line;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return line; // not a JSON line: the value patterns (scrubPersonalData) still apply
    }
    if (!censorValue(parsed, keys)) return line;
    return `${JSON.stringify(parsed)}${line.endsWith('\n') ? '\n' : ''}`;
  };
}

const SENSITIVE_HEADER_SET = new Set<string>(SENSITIVE_HEADERS);

/** Censors in place; answers whether anything changed. */
function censorValue(value: unknown, keys: ReadonlySet<string>): boolean {
  if (value === null || typeof value !== 'object') return false;
  let changed = false;
  if (Array.isArray(value)) {
    for (const item of value) changed = censorValue(item, keys) || changed;
    return changed;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (keys.has(key)) {
      if (v !== REDACTED) {
        record[key] = REDACTED;
        changed = true;
      }
    } else if (key === 'headers' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      changed = censorHeaders(v as Record<string, unknown>) || changed;
      changed = censorValue(v, keys) || changed;
    } else {
      changed = censorValue(v, keys) || changed;
    }
  }
  return changed;
}

function censorHeaders(headers: Record<string, unknown>): boolean {
  let changed = false;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (
      (SENSITIVE_HEADER_SET.has(lower) || SENSITIVE_HEADER_PATTERN.test(lower)) &&
      headers[name] !== REDACTED
    ) {
      headers[name] = REDACTED;
      changed = true;
    }
  }
  return changed;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
