import { authSettings, secretsKeyring } from '@portico/auth';
import {
  commonSettings,
  loadConfig,
  processEnvironment,
  recipientDigestSettings,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';
import { DEFAULT_GROUP_COMMIT } from './webhooks/intake-committer';

export const SERVICE_NAME = 'carrier-ingestion';

/** One AES-256 key for carrier account secrets (the keyring format now lives in @portico/auth). */
export type { SecretsKey } from '@portico/auth';
export { DEFAULT_SECRETS_KEY_ID } from '@portico/auth';

/** Every setting of carrier-ingestion: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3001, database: 'portico_carrier_ingestion' }),
  // Operators manage carrier accounts with person tokens; webhooks are public (signature-checked).
  ...authSettings(),
  // The waybill's recipient name and phone leave this service only as keyed digests.
  ...recipientDigestSettings(),
  carrierSecretsKeys: setting(
    'CARRIER_SECRETS_KEY',
    secretsKeyring,
    'AES-256-GCM key(s) sealing carrier webhook secrets at rest: one base64 32-byte key, or id=base64key pairs newest first',
    { secret: true },
  ),
  // Senders retry for days (AfterShip about 3, Standard Webhooks senders up to a few): a duplicate must
  // be recognised for longer than any of them, so at least 7 days; the default adds a day of margin.
  webhookDedupeWindowHours: setting(
    'WEBHOOK_DEDUPE_WINDOW_HOURS',
    z.coerce
      .number()
      .int()
      .min(168, 'must be at least 168 (7 days: longer than any sender retries)')
      .default(192),
    'how long a delivered webhook is remembered for de-duplication',
  ),
  // The raw archive holds recipients' personal data as the carrier sent it: kept only as long as
  // support and replays need it, then whole day partitions are dropped.
  webhookRawRetentionDays: setting(
    'WEBHOOK_RAW_RETENTION_DAYS',
    z.coerce.number().int().min(1).max(365).default(30),
    'days the raw webhook archive (bodies with personal data) is kept before it is purged',
  ),
  // Group commits in flight at once. Fewer means larger batches (fewer round trips and WAL flushes
  // per webhook) but each delivery may wait for one more commit; see the README's bench tables.
  webhookGroupCommits: setting(
    'WEBHOOK_GROUP_COMMITS',
    z.coerce.number().int().min(1).max(8).default(DEFAULT_GROUP_COMMIT.maxInFlight),
    'intake transactions in flight at once (each holds one pooled connection)',
  ),
};

export type CarrierIngestionConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): CarrierIngestionConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
