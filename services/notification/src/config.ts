import { apiKeySettings, authSettings, secretsKeyring } from '@portico/auth';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE_MS } from './webhooks/retry-schedule';
import { parseNetworkList } from './webhooks/webhook-target';
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

export const SERVICE_NAME = 'notification';

/** Every setting of notification: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3004, database: 'portico_notification' }),
  // People (stewards, managers, operators) and property systems (directory import) call this service.
  ...authSettings(),
  ...apiKeySettings(),
  // notification owns the directory: it digests residents' names/phones to match carrier hints.
  ...recipientDigestSettings(),
  timerPollIntervalMs: setting(
    'TIMER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(50).default(1_000),
    'how often due escalation, reminder and retry timers are claimed from the database',
  ),
  timerConcurrency: setting(
    'TIMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(16).default(1),
    'claim loops firing due timers side by side in each instance (SKIP LOCKED keeps them apart)',
  ),
  outboundWebhookTimeoutMs: setting(
    'OUTBOUND_WEBHOOK_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(60_000).default(5_000),
    'how long a subscriber has to answer one webhook delivery',
  ),
  ...webhookSettings(),
  outreachAckSlaMs: setting(
    'OUTREACH_ACK_SLA_MS',
    schemas.milliseconds.min(60_000).max(86_400_000).default(7_200_000),
    'how long a steward has to acknowledge an outreach task before it escalates',
  ),
  outreachExpeditedAckSlaMs: setting(
    'OUTREACH_EXPEDITED_ACK_SLA_MS',
    schemas.milliseconds.min(60_000).max(86_400_000).default(1_800_000),
    'acknowledgement time for tasks of expedited cases (high value, perishable, short deadline)',
  ),
};

/** `true`/`false` (also 1/0, yes/no); anything else is refused rather than read as false. */
function flag() {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
}

/** Outbound webhooks to property systems (src/webhooks, README "Outbound webhooks"). */
function webhookSettings() {
  return {
    webhookSecretsKeys: setting(
      'WEBHOOK_SECRETS_KEY',
      secretsKeyring.optional(),
      "AES-256-GCM key(s) sealing subscribers' signing secrets at rest: one base64 32-byte key, or id=base64key pairs newest first; without it the webhook API answers 503 and nothing is delivered",
      { secret: true },
    ),
    webhookRetryScheduleMs: setting(
      'WEBHOOK_RETRY_SCHEDULE_MS',
      z
        .string()
        .default(DEFAULT_RETRY_SCHEDULE_MS.join(','))
        .transform((raw) => raw.split(',').map((v) => Number(v.trim())))
        .pipe(
          z
            .array(
              z
                .number()
                .int()
                .min(10)
                .max(7 * 86_400_000),
            )
            .min(1)
            .max(20),
        ),
      'delays before the 2nd, 3rd, … attempt of a failed delivery, comma-separated ms (default ~5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h)',
    ),
    webhookSecretOverlapMs: setting(
      'WEBHOOK_SECRET_OVERLAP_MS',
      schemas.milliseconds.max(30 * 86_400_000).default(86_400_000),
      'how long the previous secret still signs (second signature) after a rotation',
    ),
    webhookAllowHttp: setting(
      'WEBHOOK_ALLOW_HTTP',
      flag().default(false),
      'accept http:// subscriber URLs (local and test set-ups only; keep false in production)',
    ),
    webhookAllowedPrivateNetworks: setting(
      'WEBHOOK_ALLOWED_PRIVATE_NETWORKS',
      z
        .string()
        .default('')
        .transform((raw, ctx) => {
          try {
            return parseNetworkList(raw);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: (e as Error).message });
            return z.NEVER;
          }
        }),
      'private/loopback networks webhooks may reach anyway, CIDRs comma-separated (e.g. 127.0.0.1/32 in tests); empty in production (SSRF)',
    ),
    webhookWorkerConcurrency: setting(
      'WEBHOOK_WORKER_CONCURRENCY',
      z.coerce.number().int().min(1).max(1_000).default(64),
      'deliveries one claim takes and sends side by side',
    ),
    webhookWorkerLoops: setting(
      'WEBHOOK_WORKER_LOOPS',
      z.coerce.number().int().min(0).max(16).default(2),
      'claim-send-record loops per instance (0: this instance delivers nothing, e.g. an API-only one)',
    ),
    webhookPollIntervalMs: setting(
      'WEBHOOK_POLL_INTERVAL_MS',
      schemas.milliseconds.min(10).max(60_000).default(500),
      'how often an idle delivery loop looks for due deliveries',
    ),
    webhookBreakerThreshold: setting(
      'WEBHOOK_BREAKER_THRESHOLD',
      z.coerce.number().int().min(1).max(1_000).default(5),
      "consecutive failed attempts that open a subscription's circuit",
    ),
    webhookBreakerCoolDownMs: setting(
      'WEBHOOK_BREAKER_COOLDOWN_MS',
      schemas.milliseconds.min(10).max(86_400_000).default(60_000),
      "how long an open circuit holds a subscription's deliveries before one probe",
    ),
    webhookAutoDisableAfterMs: setting(
      'WEBHOOK_AUTO_DISABLE_AFTER_MS',
      schemas.milliseconds.min(10).default(5 * 86_400_000),
      'a subscription whose every attempt failed for this long is disabled, with a notice (default 5 days)',
    ),
  };
}

export type NotificationConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): NotificationConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
