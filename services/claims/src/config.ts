import {
  commonSettings,
  loadConfig,
  processEnvironment,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';

export const SERVICE_NAME = 'claims';

/** Every setting of claims: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3005, database: 'portico_claims' }),
  lostParcelStallDays: setting(
    'LOST_PARCEL_STALL_DAYS',
    z.coerce.number().int().min(1).max(60).default(7),
    'days without a tracking event after which a parcel is flagged as possibly lost',
  ),
};

export type ClaimsConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): ClaimsConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
