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

export const SERVICE_NAME = 'console';

const baseUrl = (fallback: string) =>
  z
    .string()
    .url()
    .default(fallback)
    .transform((u) => u.replace(/\/+$/, ''));

/** What every process of the console needs (the service and its commands: migrate, accounts). */
export const baseSettings = commonSettings(SERVICE_NAME, { port: 3006, database: 'portico_console' });

/** Every setting of the console. Validated at start, all problems at once. */
export const settings = {
  ...baseSettings,
  // The console signs the person token it presents to the other services (local accounts) with the
  // same development key they verify; with a real IdP the OIDC adapter hands over the IdP's token.
  ...authSettings(),
  notificationUrl: setting('CONSOLE_NOTIFICATION_URL', baseUrl('http://127.0.0.1:3004'), 'notification API base URL'),
  vaultUrl: setting('CONSOLE_VAULT_URL', baseUrl('http://127.0.0.1:3003'), 'id-vault API base URL (steward review)'),
  clearanceUrl: setting('CONSOLE_CLEARANCE_URL', baseUrl('http://127.0.0.1:3002'), 'clearance API base URL'),
  claimsUrl: setting('CONSOLE_CLAIMS_URL', baseUrl('http://127.0.0.1:3005'), 'claims API base URL (claim state, history, customer decision)'),
  carrierIngestionUrl: setting(
    'CONSOLE_CARRIER_INGESTION_URL',
    baseUrl('http://127.0.0.1:3001'),
    "carrier-ingestion's internal API (a parcel's tracking history), called with the console's own INTERNAL_SERVICE_TOKEN as service `console`",
  ),
  vaultPublicUrl: setting(
    'CONSOLE_VAULT_PUBLIC_URL',
    baseUrl('http://127.0.0.1:3003'),
    "id-vault's address as residents' browsers reach it: the resident status page links to its upload page /u/<token>",
  ),
  sessionTtlMinutes: setting(
    'CONSOLE_SESSION_TTL_MINUTES',
    z.coerce.number().int().min(5).max(10_080).default(720),
    'lifetime of a signed-in session (sliding is not done: a session ends this long after login)',
  ),
  cookieSecure: setting(
    'CONSOLE_COOKIE_SECURE',
    z.enum(['auto', 'always']).default('auto'),
    '"auto": Secure cookie except for plain-http loopback (local demo); "always": Secure everywhere (production)',
  ),
  upstreamTimeoutMs: setting(
    'CONSOLE_UPSTREAM_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(60_000).default(5_000),
    'how long a call to another service may take before the console answers 502',
  ),
  upstreamTokenTtlSec: setting(
    'CONSOLE_UPSTREAM_TOKEN_TTL_SEC',
    z.coerce.number().int().min(30).max(3_600).default(300),
    'lifetime of the person token minted per upstream call (local accounts)',
  ),
  webRoot: setting(
    'CONSOLE_WEB_ROOT',
    z.string().optional(),
    'folder of the built single-page app (default: dist/web next to the service build)',
  ),
};

export type ConsoleConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): ConsoleConfig {
  return loadConfig(SERVICE_NAME, settings, env);
}
