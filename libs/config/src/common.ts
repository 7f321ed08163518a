import { z } from 'zod';
import { schemas, setting, type ConfigOf } from './settings';

/**
 * Settings every Portico service has. A service spreads these into its own definition and adds
 * what it alone needs. Defaults are the local-development ones from deploy/local.
 */
export function commonSettings(service: string, defaults: { port: number; database: string }) {
  return {
    serviceName: setting(
      'SERVICE_NAME',
      z.string().min(1).default(service),
      'service name used in traces, logs and metrics',
    ),
    httpPort: setting(
      'HTTP_PORT',
      schemas.port.default(defaults.port),
      'port of the HTTP API, health and metrics',
    ),
    httpHost: setting('HTTP_HOST', z.string().default('127.0.0.1'), 'interface the HTTP server listens on'),
    databaseUrl: setting(
      'DATABASE_URL',
      schemas.postgresUrl.default(`postgres://postgres@127.0.0.1:5432/${defaults.database}`),
      "PostgreSQL URL of this service's own database",
      { secret: true },
    ),
    // Hot statements run as named prepared statements: Postgres parses and plans them once per
    // connection (ADR 0016). Transaction-mode poolers that cannot keep them (PgBouncer before 1.21,
    // or later without max_prepared_statements) hand a session's statements to other server
    // connections, where the names are unknown: turn off behind one.
    databasePreparedStatements: setting(
      'DATABASE_PREPARED_STATEMENTS',
      schemas.flag.default(true),
      'named prepared statements for hot queries (false behind PgBouncer < 1.21 in transaction mode)',
    ),
    kafkaBrokers: setting(
      'KAFKA_BROKERS',
      schemas.brokerList.default(['127.0.0.1:9092']),
      'comma-separated Kafka bootstrap servers',
    ),
    kafkaClientId: setting('KAFKA_CLIENT_ID', z.string().min(1).default(service), 'Kafka client id'),
    kafkaConsumerGroup: setting(
      'KAFKA_CONSUMER_GROUP',
      z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/)
        .default(service),
      'consumer group of this service (also names its retry and DLQ topics)',
    ),
    // Consumers' fetches: with the defaults a fetch answers as soon as one record is there, so a
    // consumer that keeps up handles tiny chunks and pays its per-transaction statements nearly per
    // record. A minimum of bytes lets records gather for up to the wait: larger chunks, less
    // Postgres and CPU per record, for at most that much more latency per hop.
    kafkaFetchMinBytes: setting(
      'KAFKA_FETCH_MIN_BYTES',
      z.coerce.number().int().min(1).max(1_048_576).default(1),
      'bytes a consumer fetch waits for (up to KAFKA_FETCH_MAX_WAIT_MS) before it answers',
    ),
    kafkaFetchMaxWaitMs: setting(
      'KAFKA_FETCH_MAX_WAIT_MS',
      z.coerce.number().int().min(1).max(10_000).default(1_000),
      'longest a consumer fetch waits for KAFKA_FETCH_MIN_BYTES (or for any record at all)',
    ),
    otlpEndpoint: setting(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      schemas.optionalUrl,
      'OTLP/HTTP collector base URL; tracing export is off when empty',
    ),
    logLevel: setting('LOG_LEVEL', schemas.logLevel.default('info'), 'pino log level'),
    shutdownTimeoutMs: setting(
      'SHUTDOWN_TIMEOUT_MS',
      schemas.milliseconds.default(10_000),
      'how long in-flight work may take to finish on shutdown',
    ),
    internalToken: setting(
      'INTERNAL_SERVICE_TOKEN',
      schemas.token.default('local-dev-internal-token-change-me-in-production'),
      'shared secret for service-to-service HTTP calls',
      { secret: true },
    ),
  };
}

/**
 * How a service's Kafka consumer takes its partitions. Each partition handled at once holds one
 * database connection while its chunk runs: size the pool with it. The default differs per service
 * (what its consumers' handlers cost), so the service passes it.
 */
export function consumerSettings(defaults: { partitionsConcurrently: number }) {
  return {
    consumerConcurrency: setting(
      'KAFKA_PARTITIONS_CONCURRENTLY',
      z.coerce.number().int().min(1).max(64).default(defaults.partitionsConcurrently),
      'partitions of the consumed topics handled at once (order still holds per partition, so per parcel)',
    ),
  };
}

export type ConsumerConfig = ConfigOf<ReturnType<typeof consumerSettings>>;

/** The values of `commonSettings`: what libraries such as service-kit need from any service's configuration. */
export type CommonConfig = ConfigOf<ReturnType<typeof commonSettings>>;

/**
 * Keys for recipient-name and phone digests (HMAC), shared by carrier-ingestion, which digests the
 * waybill's recipient, and notification, which digests its directory to match parcels to residents.
 * `id=secret` pairs, newest first; the first one signs, all of them verify while keys rotate.
 */
export function recipientDigestSettings() {
  return {
    recipientDigestKeys: setting(
      'RECIPIENT_DIGEST_KEYS',
      z.string().transform((raw, ctx) => {
        const keys = raw
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
          .map((entry) => {
            const eq = entry.indexOf('=');
            return { id: entry.slice(0, eq).trim(), secret: entry.slice(eq + 1).trim() };
          });
        if (keys.length === 0 || keys.some((k) => !/^[a-z0-9-]{1,32}$/i.test(k.id) || k.secret.length < 32)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'must be id=secret pairs, comma-separated, with simple ids and secrets of at least 32 characters',
          });
          return z.NEVER;
        }
        return keys;
      }),
      'keys for recipient name/phone digests as id=secret pairs, newest first',
      { secret: true },
    ),
  };
}

export type RecipientDigestConfig = ConfigOf<ReturnType<typeof recipientDigestSettings>>;
