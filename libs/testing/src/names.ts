import { randomBytes } from 'node:crypto';

/** Source of the random part, injectable so tests can pin names. */
export type RandomHex = (bytes: number) => string;

const cryptoHex: RandomHex = (bytes) => randomBytes(bytes).toString('hex');

/** Kafka's limit for topic names. */
const MAX_TOPIC_NAME_LENGTH = 249;
/** PostgreSQL truncates identifiers beyond 63 bytes, which would make two names collide. */
const MAX_DATABASE_NAME_LENGTH = 63;

/**
 * A topic name unique to this test run that keeps the shape of `base`: the token goes into the
 * first dot segment (`carrier.tracking.v1` -> `carrier-t1a2b3c4d.tracking.v1`), so a name that
 * satisfies the contracts' `<domain>.<aggregate>.v<N>` rule still does, and topics derived from it
 * (`<topic>.retry.<group>`, `<topic>.dlq.<group>`) are unique too. The `-t<8 hex>` marker makes
 * leftovers of crashed runs easy to find on a shared broker.
 */
export function uniqueTopicName(base: string, randomHex: RandomHex = cryptoHex): string {
  const cleaned =
    base
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+|[.-]+$/g, '')
      .replace(/-+(?=\.)/g, '') || 'test';
  const token = `-t${randomHex(4)}`;
  const dot = cleaned.indexOf('.');
  const [head, tail] = dot === -1 ? [cleaned, ''] : [cleaned.slice(0, dot), cleaned.slice(dot)];
  const room = MAX_TOPIC_NAME_LENGTH - token.length - tail.length;
  if (room < 1) throw new Error(`topic base "${base.slice(0, 40)}..." is too long for a unique name`);
  return `${head.slice(0, room)}${token}${tail}`;
}

/**
 * A database name unique to this test file: `<prefix>_test_<8 hex>`, lower case so it never needs
 * quoting by hand, and within PostgreSQL's 63-byte identifier limit.
 */
export function uniqueDatabaseName(prefix: string, randomHex: RandomHex = cryptoHex): string {
  let cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  if (!/^[a-z]/.test(cleaned)) cleaned = `db_${cleaned}`.replace(/_$/, '');
  const suffix = `_test_${randomHex(4)}`;
  return `${cleaned.slice(0, MAX_DATABASE_NAME_LENGTH - suffix.length)}${suffix}`;
}

/** `url` pointing at `database` instead, keeping credentials, host and query (sslmode...). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** `url` without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
