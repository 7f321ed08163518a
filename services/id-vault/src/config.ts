import { authSettings } from '@portico/auth';
import {
  commonSettings,
  loadConfig,
  processEnvironment,
  recipientDigestSettings,
  schemas,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';
import { auditSettings } from './audit/audit-settings';
import { blobSettings } from './blobs/blob-settings';
import { cryptoSettings } from './crypto/crypto-settings';
import { emailRelaySettings } from './relay/email-relay-settings';
import { relayDestinationsSchema } from './relay/relay-destination';

export const SERVICE_NAME = 'id-vault';

/** What every process of id-vault needs (the service and its commands: migrate, rewrap-keys, verify-audit). */
export const baseSettings = commonSettings(SERVICE_NAME, { port: 3003, database: 'portico_id_vault' });

/** Every setting of id-vault: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...baseSettings,
  // Stewards (review), notification (upload links) and, through their own tokens, residents and carriers.
  ...authSettings(),
  // The name-match check compares the typed name's digest with the waybill's (never the name itself).
  ...recipientDigestSettings(),
  ...auditSettings,
  // Envelope encryption (VAULT_KEKS has no default on purpose) and where the sealed parts live.
  ...cryptoSettings,
  ...blobSettings,
  relayDestinations: setting(
    'VAULT_RELAY_DESTINATIONS',
    relayDestinationsSchema,
    'JSON object: carrier code (or "default") -> {url, secret (whsec_)} for a signed push, or ' +
      '{"adapter": "email", mailbox} for a clearance desk, or {"adapter": "dhl-express-mydhl", baseUrl, ' +
      'username, password, accountNumber, documentTypeCode?, maxImageBase64Bytes?} for DHL Express; ' +
      'all take recipientKind, recipientId',
    { secret: true },
  ),
  // The SMTP relay of "email" destinations.
  ...emailRelaySettings,
  publicBaseUrl: setting(
    'VAULT_PUBLIC_URL',
    z
      .string()
      .url()
      .default('http://127.0.0.1:3003')
      .transform((u) => u.replace(/\/+$/, '')),
    'base URL residents and carriers reach the vault at (upload links, grant downloads)',
  ),
  // DESIGN: everything is purged 7 days after clearance at the latest; shorter is allowed, longer is not.
  purgeAfterDays: setting(
    'VAULT_PURGE_AFTER_DAYS',
    z.coerce
      .number()
      .int()
      .min(1)
      .max(7, 'must be at most 7 (documents are purged within 7 days of clearance)')
      .default(7),
    'days after clearance or expiry at which documents are purged',
  ),
  uploadLinkTtlMinutes: setting(
    'UPLOAD_LINK_TTL_MINUTES',
    z.coerce.number().int().min(5).max(10_080).default(4_320),
    'lifetime of a one-time upload link (72 h by default; never past the case deadline)',
  ),
  viewLinkTtlSeconds: setting(
    'VAULT_VIEW_LINK_TTL_SECONDS',
    z.coerce.number().int().min(30).max(3_600).default(300),
    "lifetime of a steward's short-lived document view URL",
  ),
  relayGrantTtlMinutes: setting(
    'VAULT_RELAY_GRANT_TTL_MINUTES',
    z.coerce.number().int().min(5).max(10_080).default(1_440),
    'lifetime of a carrier/broker download grant',
  ),
  relayGrantMaxUses: setting(
    'VAULT_RELAY_GRANT_MAX_USES',
    z.coerce.number().int().min(1).max(10).default(3),
    'downloads one relay grant allows',
  ),
  maxUploadBytes: setting(
    'VAULT_MAX_UPLOAD_BYTES',
    z.coerce.number().int().min(100_000).max(50_000_000).default(10_485_760),
    'largest accepted image per side (bytes); larger uploads get 413',
  ),
  uploadConcurrency: setting(
    'VAULT_UPLOAD_CONCURRENCY',
    // 1 on the 2-core machines this runs on: an ID card's two sides are already checked in
    // parallel, so a second upload in flight adds memory, not throughput. Raise it with the cores.
    z.coerce.number().int().min(1).max(32).default(1),
    'uploads read and checked at once (CPU-bound; each uses up to one core per side); others wait unread',
  ),
  uploadQueueTimeoutMs: setting(
    'VAULT_UPLOAD_QUEUE_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(120_000).default(15_000),
    'how long an upload may wait for a slot before it is answered 503 with Retry-After',
  ),
  timerPollIntervalMs: setting(
    'VAULT_TIMER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(50).max(60_000).default(1_000),
    'how often purge and relay timers are polled when idle',
  ),
  orphanSweepIntervalMs: setting(
    'VAULT_ORPHAN_SWEEP_INTERVAL_MS',
    schemas.milliseconds.min(1_000).max(604_800_000).default(21_600_000),
    'how often blobs no document references (left by rolled-back writes to an object store) are swept',
  ),
  orphanGraceMs: setting(
    'VAULT_ORPHAN_GRACE_MS',
    schemas.milliseconds.min(1_000).max(604_800_000).default(86_400_000),
    'how old an unreferenced blob must be before the sweep deletes it (longer than any transaction)',
  ),
};

export type IdVaultConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): IdVaultConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
