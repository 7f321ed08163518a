const MAX_KEY_PREFIX_LENGTH = 64;

/**
 * What traces and logs show of a key: the part before the first `:` (`clearance-sla` of
 * `clearance-sla:prc_123`). Keys may embed parcel ids, which would be acceptable, but a bounded
 * prefix keeps span attributes low-cardinality and never exposes anything a service put further
 * down the key. A key without `:` shows as `(none)`: it may be an id and nothing else.
 */
export function keyPrefix(key: string): string {
  const colon = key.indexOf(':');
  if (colon <= 0) return '(none)';
  return key.slice(0, Math.min(colon, MAX_KEY_PREFIX_LENGTH));
}

/** A LIKE pattern matching keys that start with `prefix` literally (`%`, `_` and `\` escaped). */
export function likePrefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Checks a timer before it is written, so a bad call fails in the caller, not in the runner. */
export function assertValidSchedule(input: { key: string; kind: string; dueAt: Date }): void {
  if (typeof input.key !== 'string' || input.key.length === 0)
    throw new Error('timer key must be a non-empty string');
  if (typeof input.kind !== 'string' || input.kind.length === 0) {
    throw new Error('timer kind must be a non-empty string');
  }
  if (!(input.dueAt instanceof Date) || Number.isNaN(input.dueAt.getTime())) {
    throw new Error(`timer dueAt must be a valid Date (key prefix ${keyPrefix(input.key)})`);
  }
}
