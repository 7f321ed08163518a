import {
  commonSettings,
  loadConfig,
  processEnvironment,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';
import { z } from 'zod';

export const SERVICE_NAME = 'id-vault';

/** Every setting of id-vault: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3003, database: 'portico_id_vault' }),
  // DESIGN: everything is purged 7 days after clearance at the latest; shorter is allowed, longer is not.
  purgeAfterDays: setting(
    'VAULT_PURGE_AFTER_DAYS',
    z.coerce
      .number()
      .int()
      .min(1)
      .max(7, 'must be at most 7 (documents are purged within 7 days of clearance)')
      .default(7),
    'days after clearance at which documents are purged',
  ),
  uploadLinkTtlMinutes: setting(
    'UPLOAD_LINK_TTL_MINUTES',
    z.coerce.number().int().min(5).max(10_080).default(1_440),
    'lifetime of a one-time upload link',
  ),
};

export type IdVaultConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): IdVaultConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
