import { authSettings } from '@portico/auth';
import {
  commonSettings,
  consumerSettings,
  loadConfig,
  processEnvironment,
  schemas,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';
import { DEFAULT_TIMER_RULES, timerRulesSchema } from './deadlines/timer-rules';

export const SERVICE_NAME = 'clearance';

/** Every setting of clearance: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3002, database: 'portico_clearance' }),
  // Stewards, managers and operators read cases with person tokens; notification with its service token.
  ...authSettings(),
  ...consumerSettings({ partitionsConcurrently: 6 }),
  timerPollIntervalMs: setting(
    'TIMER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(50).default(1_000),
    'how often due deadline and reminder timers are claimed from the database',
  ),
  timerConcurrency: setting(
    'TIMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(16).default(2),
    'claim loops firing due timers side by side in each instance (SKIP LOCKED keeps them apart)',
  ),
  timerRules: setting(
    'CLEARANCE_TIMER_RULES',
    z
      .string()
      .default(JSON.stringify(DEFAULT_TIMER_RULES))
      .transform((v, ctx) => {
        try {
          return JSON.parse(v) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON' });
          return z.NEVER;
        }
      })
      .pipe(timerRulesSchema),
    'JSON {"reminderLeadHours":[48,24,6],"stewardAckSlaMinutes":120,"expeditedFactor":0.5}: resident reminders before the deadline, steward acknowledgement SLA, how much expediting shortens them',
  ),
  predictionDefaultThreshold: setting(
    'PREDICTION_DEFAULT_THRESHOLD',
    z.coerce.number().gt(0).lte(1).default(0.5),
    'estimated document-hold probability from which HoldPredicted is emitted, for tenants without their own setting',
  ),
};

export type ClearanceConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): ClearanceConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
