import { authSettings, parseSigningKeys, SigningKeyError, type SigningKeyring } from '@portico/auth';
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
import { TrustedProxies } from './sessions/client-address';

export const SERVICE_NAME = 'console';

/** Parsed at start so a broken key stops the process; messages name kids, never key material. */
const signingKeys = z
  .string()
  .optional()
  .transform((raw, ctx): SigningKeyring | undefined => {
    if (!raw?.trim()) return undefined;
    try {
      return parseSigningKeys(raw);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof SigningKeyError ? e.message : 'signing keys could not be read' });
      return z.NEVER;
    }
  });

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
  // The console signs the person token it presents to the other services. Production: with its own
  // keys (CONSOLE_TOKEN_SIGNING_KEYS), as the issuer AUTH_OIDC_ISSUER for audience AUTH_OIDC_AUDIENCE,
  // the services verifying through its JWKS (docs/adr/0006). Local demo and tests: the shared
  // development key AUTH_DEV_TOKEN_KEY. Never both.
  ...authSettings(),
  tokenSigningKeys: setting(
    'CONSOLE_TOKEN_SIGNING_KEYS',
    signingKeys,
    'private JWKs (EC P-256 or Ed25519, each with its kid) the console signs person tokens with, JSON array, newest first; all are published at /.well-known/jwks.json (production; leave empty with AUTH_DEV_TOKEN_KEY)',
    { secret: true },
  ),
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
    'absolute maximum lifetime of a signed-in session: it ends this long after sign-in however busy',
  ),
  sessionIdleMinutes: setting(
    'CONSOLE_SESSION_IDLE_MINUTES',
    z.coerce.number().int().min(5).max(1_440).default(60),
    'a session ends after this long without a request (renewed on use, never past CONSOLE_SESSION_TTL_MINUTES; the live-update stream does not count as use)',
  ),
  trustedProxies: setting(
    'CONSOLE_TRUSTED_PROXIES',
    z
      .string()
      .default('')
      .transform((raw, ctx) => {
        const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
        try {
          return new TrustedProxies(entries);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }),
    'addresses or CIDR ranges of the proxies (Ingress, load balancer) whose X-Forwarded-For the console believes, comma-separated; empty: the connection peer is the client (sign-in throttling per address)',
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
    'lifetime of the person token the console signs per upstream call',
  ),
  // OIDC login (off while CONSOLE_OIDC_ISSUER is empty). Only this one issuer is trusted; who may
  // sign in, with which roles and properties, is the console's mapping table keyed by the issuer's
  // subject (README, "Signing in with OIDC"), not claims of the IdP.
  oidcIssuer: setting(
    'CONSOLE_OIDC_ISSUER',
    z.string().url().optional(),
    'OpenID provider (issuer URL, discovered through /.well-known/openid-configuration); empty: OIDC login off',
  ),
  oidcClientId: setting('CONSOLE_OIDC_CLIENT_ID', z.string().min(1).max(256).optional(), 'client id registered at the OpenID provider'),
  oidcClientSecret: setting(
    'CONSOLE_OIDC_CLIENT_SECRET',
    z.string().min(1).max(1024).optional(),
    'client secret (client_secret_basic) registered at the OpenID provider',
    { secret: true },
  ),
  oidcRedirectUrl: setting(
    'CONSOLE_OIDC_REDIRECT_URL',
    z.string().url().optional(),
    "the console's callback as browsers reach it: https://<console>/api/auth/oidc/callback (registered at the provider)",
  ),
  oidcPostLogoutUrl: setting(
    'CONSOLE_OIDC_POST_LOGOUT_URL',
    z.string().url().optional(),
    "where the provider sends the browser after RP-initiated logout (default: the redirect URL's origin + /)",
  ),
  oidcProviderName: setting(
    'CONSOLE_OIDC_PROVIDER_NAME',
    z.string().trim().min(1).max(64).default('SSO'),
    'name on the login button ("Sign in with <name>")',
  ),
  oidcScopes: setting(
    'CONSOLE_OIDC_SCOPES',
    z
      .string()
      .default('openid')
      .refine((s) => s.split(/\s+/).includes('openid'), 'must include openid'),
    'scopes asked for (space separated, must include openid); the console reads only the subject',
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

/** The OIDC settings once all four required ones are there, or null (OIDC login off). */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  readonly postLogoutUrl: string;
  readonly providerName: string;
  readonly scopes: string;
}

export function oidcSettings(config: ConsoleConfig): OidcSettings | null {
  const { oidcIssuer, oidcClientId, oidcClientSecret, oidcRedirectUrl } = config;
  if (!oidcIssuer) return null;
  const missing = Object.entries({ oidcClientId, oidcClientSecret, oidcRedirectUrl })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  // A half-configured provider must stop the start, not silently leave people without a button.
  if (missing.length > 0) throw new Error(`CONSOLE_OIDC_ISSUER is set but not: ${missing.join(', ')}`);
  return {
    issuer: oidcIssuer,
    clientId: oidcClientId!,
    clientSecret: oidcClientSecret!,
    redirectUrl: oidcRedirectUrl!,
    postLogoutUrl: config.oidcPostLogoutUrl ?? `${new URL(oidcRedirectUrl!).origin}/`,
    providerName: config.oidcProviderName,
    scopes: config.oidcScopes,
  };
}
