import { authSettings } from '@portico/auth';
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

export const SERVICE_NAME = 'carrier-ingestion';

/** One AES-256 key for carrier account secrets, and the id stored beside every secret it sealed. */
export interface SecretsKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The key id a bare `CARRIER_SECRETS_KEY=<base64>` gets, so moving to `id=key` pairs later keeps it. */
export const DEFAULT_SECRETS_KEY_ID = 'k1';

/**
 * `CARRIER_SECRETS_KEY`: either one base64 32-byte key (its id is `k1`), or `id=base64key` pairs,
 * comma-separated, newest first. The first key seals new secrets; every listed key opens the secrets
 * it sealed, so a key is rotated by prepending a new one and keeping the old until every secret has
 * been re-issued (rotated) under the new one. Messages never repeat a value.
 */
const secretsKeyring = z.string().transform((raw, ctx): SecretsKey[] => {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const keys: SecretsKey[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    // A bare base64 key may itself end in '=' padding: only `name=` with a simple name is a pair.
    const paired = eq > 0 && /^[a-z0-9][a-z0-9-]{0,31}$/i.test(entry.slice(0, eq));
    if (!paired && entries.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'with several keys, each must be id=base64key' });
      return z.NEVER;
    }
    const id = paired ? entry.slice(0, eq) : DEFAULT_SECRETS_KEY_ID;
    const encoded = paired ? entry.slice(eq + 1) : entry;
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) || key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `key "${id}" must be 32 bytes, base64-encoded` });
      return z.NEVER;
    }
    if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
    return z.NEVER;
  }
  return keys;
});

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
};

export type CarrierIngestionConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): CarrierIngestionConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
