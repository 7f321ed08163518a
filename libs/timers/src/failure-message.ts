/** last_error is for operators: long enough for a message and a hint, short enough for a table. */
export const MAX_ERROR_LENGTH = 1_000;
const REDACTED = '[redacted]';
/** Shorter payload strings are too likely to be ordinary words of a message ("yes", "DE"). */
const MIN_REDACTED_LENGTH = 4;

/**
 * What gets stored in `last_error` and logged for a failed attempt: the error's name and message,
 * with every string found in the payload replaced by `[redacted]`, truncated. Handlers should not
 * put payload values in messages in the first place (payloads may hold personal data such as a
 * recipient address); this is the net under that rule, not a licence. Stack traces are left out:
 * they belong in the log line of the handler's own code, not in a table row.
 */
export function describeFailure(error: unknown, payload: unknown): string {
  const raw =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : `non-error thrown: ${typeof error === 'string' ? error : typeof error}`;
  let text = raw;
  // longest first, so a value that contains another is replaced as a whole
  const secrets = [...new Set(payloadStrings(payload))].sort((a, b) => b.length - a.length);
  for (const secret of secrets) text = text.split(secret).join(REDACTED);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function payloadStrings(value: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > 8 || value === null || value === undefined) return out;
  if (typeof value === 'string') {
    if (value.length >= MIN_REDACTED_LENGTH) out.push(value);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    const s = String(value);
    if (s.length >= MIN_REDACTED_LENGTH) out.push(s);
  } else if (Array.isArray(value)) {
    for (const item of value) payloadStrings(item, depth + 1, out);
  } else if (typeof value === 'object') {
    for (const item of Object.values(value)) payloadStrings(item, depth + 1, out);
  }
  return out;
}
