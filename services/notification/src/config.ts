import {
  commonSettings,
  loadConfig,
  processEnvironment,
  schemas,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';

export const SERVICE_NAME = 'notification';

/** Every setting of notification: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3004, database: 'portico_notification' }),
  outboundWebhookTimeoutMs: setting(
    'OUTBOUND_WEBHOOK_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(60_000).default(5_000),
    'how long a subscriber has to answer one webhook delivery',
  ),
};

export type NotificationConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): NotificationConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
