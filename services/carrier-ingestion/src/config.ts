import {
  commonSettings,
  loadConfig,
  processEnvironment,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';

export const SERVICE_NAME = 'carrier-ingestion';

/** Every setting of carrier-ingestion: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3001, database: 'portico_carrier_ingestion' }),
  // Carriers retry for days (AfterShip: about 3): a duplicate must be recognised for longer than that.
  webhookDedupeWindowHours: setting(
    'WEBHOOK_DEDUPE_WINDOW_HOURS',
    z.coerce.number().int().min(72, 'must be at least 72 (carriers retry for about 3 days)').default(96),
    'how long a delivered webhook is remembered for de-duplication',
  ),
};

export type CarrierIngestionConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): CarrierIngestionConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
