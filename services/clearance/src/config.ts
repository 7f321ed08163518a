import { authSettings } from '@portico/auth';
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

export const SERVICE_NAME = 'clearance';

/** Every setting of clearance: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3002, database: 'portico_clearance' }),
  // Stewards, managers and operators read cases with person tokens; notification with its service token.
  ...authSettings(),
  timerPollIntervalMs: setting(
    'TIMER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(50).default(1_000),
    'how often due deadline and reminder timers are claimed from the database',
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
