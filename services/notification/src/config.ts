import { apiKeySettings, authSettings } from '@portico/auth';
import { z } from 'zod';
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
  outreachAckSlaMs: setting(
    'OUTREACH_ACK_SLA_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(7_200_000),
    'how long a steward has to acknowledge an outreach task before it escalates',
  ),
  outreachExpeditedAckSlaMs: setting(
    'OUTREACH_EXPEDITED_ACK_SLA_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(1_800_000),
    'acknowledgement time for tasks of expedited cases (high value, perishable, short deadline)',
  ),
  outreachEscalationStepMs: setting(
    'OUTREACH_ESCALATION_STEP_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(3_600_000),
    'how long each rung above the steward (manager, then operations) has to acknowledge an escalated task',
  ),
  outreachExpeditedEscalationStepMs: setting(
    'OUTREACH_EXPEDITED_ESCALATION_STEP_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(900_000),
    'the same for tasks of expedited cases',
  ),
  outreachDeadlineRiskMs: setting(
    'OUTREACH_DEADLINE_RISK_MS',
    schemas.milliseconds.min(1_000).max(604_800_000).default(21_600_000),
    'how long before the case deadline a task that is still not done escalates (deadline at risk)',
  ),
  directoryCsvMaxBytes: setting(
    'DIRECTORY_CSV_MAX_BYTES',
    z.coerce
      .number()
      .int()
      .min(1_024)
      .max(50 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    'largest CSV body POST /v1/directory/import accepts (413 csv_too_large above it)',
  ),
  directoryCsvMaxRows: setting(
    'DIRECTORY_CSV_MAX_ROWS',
    z.coerce.number().int().min(1).max(200_000).default(20_000),
    'most data rows one CSV import may have (400 csv_too_many_rows above it)',
  ),
  directoryPurgeAfterDays: setting(
    'DIRECTORY_PURGE_AFTER_DAYS',
    z.coerce.number().int().min(0).max(3_650).default(30),
    "days after a resident's removal (moved out) until their name, phone, e-mail and WeCom id are blanked",
  ),
};

export type NotificationConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): NotificationConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
