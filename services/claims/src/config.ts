import { apiKeySettings, authSettings } from '@portico/auth';
import {
  commonSettings,
  loadConfig,
  processEnvironment,
  schemas,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';
import { carrierChannelsSchema } from './carriers/carrier-channels';

export const SERVICE_NAME = 'claims';

function json<T extends z.ZodTypeAny>(schema: T, fallback: unknown) {
  return z
    .string()
    .default(JSON.stringify(fallback))
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** The common settings alone: what commands that only read the database need (verify-evidence). */
export const baseSettings = commonSettings(SERVICE_NAME, { port: 3005, database: 'portico_claims' });

/** Every setting of claims: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...baseSettings,
  // Stewards, managers and operators with person tokens; notification (chat channels) with its
  // service token; property systems with API keys (self-service intents).
  ...authSettings(),
  ...apiKeySettings(),
  lostParcelStallDays: setting(
    'LOST_PARCEL_STALL_DAYS',
    z.coerce.number().int().min(1).max(60).default(7),
    'default days without a scan after which a domestic parcel is flagged as possibly lost (tenants override it)',
  ),
  lostParcelStallDaysInternational: setting(
    'LOST_PARCEL_STALL_DAYS_INTERNATIONAL',
    z.coerce.number().int().min(1).max(90).default(20),
    'default days without a scan after which an international parcel is flagged as possibly lost (tenants override it)',
  ),
  pastEstimatedDeliveryHours: setting(
    'PAST_ESTIMATED_DELIVERY_HOURS',
    z.coerce.number().int().min(1).max(720).default(48),
    'default hours past the estimated delivery date (end of that day, UTC+8) after which an undelivered parcel is flagged',
  ),
  timerPollIntervalMs: setting(
    'TIMER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(50).default(1_000),
    'how often due detection and service-level timers are claimed from the database',
  ),
  timerConcurrency: setting(
    'TIMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(16).default(1),
    'claim loops firing due timers side by side in each instance (SKIP LOCKED keeps them apart)',
  ),
  carrierWorkerIntervalMs: setting(
    'CARRIER_WORKER_INTERVAL_MS',
    schemas.milliseconds.min(50).default(2_000),
    'how often the carrier worker looks for inquiries, filings and status polls to perform',
  ),
  carrierStatusPollMs: setting(
    'CARRIER_STATUS_POLL_MS',
    schemas.milliseconds.min(100).default(30 * 60_000),
    'how long after a filing or inquiry, and between polls, its status is asked from an API carrier',
  ),
  carrierChannels: setting(
    'CLAIMS_CARRIER_CHANNELS',
    json(carrierChannelsSchema, {}),
    'JSON per carrier code (or "default"): {"channel":"api","baseUrl":"https://…","apiKey":"…"} or {"channel":"email","to":"claims@carrier.example"}; carriers without an entry get their requests marked failed',
    { secret: true },
  ),
  smtpUrl: setting(
    'CLAIMS_SMTP_URL',
    schemas.optionalUrl,
    'SMTP server for the e-mail fallback (smtp://user:pass@host:port); empty: e-mail channels fail',
    { secret: true },
  ),
  emailFrom: setting(
    'CLAIMS_EMAIL_FROM',
    z.string().email().default('claims@portico.local'),
    'sender of inquiry and claim e-mails to carriers',
  ),
  scorecardRefreshMs: setting(
    'SCORECARD_REFRESH_MS',
    schemas.milliseconds.min(1_000).default(300_000),
    'how often the scorecard gauges (portico_claims_scorecard_*) are recomputed from the database',
  ),
  scorecardWindowDays: setting(
    'SCORECARD_WINDOW_DAYS',
    z.coerce.number().int().min(1).max(366).default(30),
    'trailing window of the scorecard gauges: parcels first seen in the last N days, every tenant together',
  ),
  maxUploadBytes: setting(
    'CLAIMS_MAX_UPLOAD_BYTES',
    z.coerce
      .number()
      .int()
      .min(10_000)
      .max(20_000_000)
      .default(10 * 1024 * 1024),
    'largest evidence photo or value proof accepted (bytes); larger uploads get 413 evidence_too_large while streaming',
  ),
  evidenceMaxPixels: setting(
    'CLAIMS_EVIDENCE_MAX_PIXELS',
    z.coerce.number().int().min(1_000_000).max(100_000_000).default(40_000_000),
    'largest evidence image by its header (width x height), checked before decoding: decompression bombs get 422 evidence_too_many_pixels',
  ),
  evidenceMaxItems: setting(
    'CLAIMS_EVIDENCE_MAX_ITEMS',
    z.coerce.number().int().min(1).max(500).default(50),
    'evidence items a claim can hold (409 evidence_limit_reached beyond)',
  ),
  uploadConcurrency: setting(
    'CLAIMS_UPLOAD_CONCURRENCY',
    // 1 on the 2-core machines this runs on: a decoded 40 MP photo is ~120 MB of raw pixels, so a
    // second decode in flight adds memory, not throughput. Raise it with the cores (and the memory).
    z.coerce.number().int().min(1).max(32).default(1),
    'evidence uploads read and checked at once (CPU-bound decode); others wait with their body unread',
  ),
  uploadQueueTimeoutMs: setting(
    'CLAIMS_UPLOAD_QUEUE_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(120_000).default(15_000),
    'how long an evidence upload may wait for a slot before it is answered 503 uploads_busy with Retry-After',
  ),
  publicUrl: setting(
    'CLAIMS_PUBLIC_URL',
    z
      .string()
      .url()
      .default('http://127.0.0.1:3005')
      .transform((v) => v.replace(/\/+$/, '')),
    "base of residents' evidence links (`<url>/e/<token>`), as residents' phones reach the service",
  ),
  evidenceLinkTtlHours: setting(
    'CLAIMS_EVIDENCE_LINK_TTL_HOURS',
    z.coerce.number().int().min(1).max(720).default(72),
    "lifetime of a resident's one-time evidence link",
  ),
  evidenceLinkMaxUploads: setting(
    'CLAIMS_EVIDENCE_LINK_MAX_UPLOADS',
    z.coerce.number().int().min(1).max(50).default(10),
    'files a resident can add through one evidence link (the claim limit CLAIMS_EVIDENCE_MAX_ITEMS still applies)',
  ),
};

export type ClaimsConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): ClaimsConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
