import { ConfigError, schemas, setting, type ConfigOf } from '@portico/config';
import { z } from 'zod';
import type { ApiKeyPepper, ApiKeyServiceOptions } from './api-keys/api-key.service';
import type { PersonTokenOptions } from './people/person-token.verifier';
import { DEFAULT_CLOCK_TOLERANCE_SEC } from './people/person-token.verifier';
import {
  SERVICE_TOKEN_MIN_LENGTH,
  ServiceTokenVerifier,
  type ServiceTokenTable,
} from './services/service-token.verifier';

/** `name=value,name=value` lists; validation messages name entries but never repeat values. */
function pairs(what: string, valueMin: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const out: [string, string][] = [];
      for (const entry of (raw ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const eq = entry.indexOf('=');
        const name = eq > 0 ? entry.slice(0, eq).trim() : '';
        const value = eq > 0 ? entry.slice(eq + 1).trim() : '';
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `each ${what} entry must be name=value with a simple name`,
          });
          return z.NEVER;
        }
        if (value.length < valueMin) {
          ctx.addIssue({
            code: 'custom',
            message: `the ${what} value for "${name}" must be at least ${valueMin} characters`,
          });
          return z.NEVER;
        }
        out.push([name, value]);
      }
      return out;
    });
}

const serviceTokenTable = pairs('service token', SERVICE_TOKEN_MIN_LENGTH).transform((entries, ctx) => {
  const table: Record<string, string[]> = {};
  for (const [name, token] of entries) (table[name] ??= []).push(token);
  for (const [name, tokens] of Object.entries(table)) {
    if (tokens.length > 2) {
      ctx.addIssue({
        code: 'custom',
        message: `service "${name}" has more than two tokens (two only while rotating)`,
      });
      return z.NEVER;
    }
  }
  return table as ServiceTokenTable;
});

/** `<issuer> <jwks-url>, …`: issuers are compared exactly, so each is kept as written. */
const extraIssuers = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const out: { issuer: string; jwksUrl: string }[] = [];
    for (const entry of (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
      const parts = entry.split(/\s+/);
      const [issuer, jwksUrl] = parts;
      let ok = parts.length === 2;
      try {
        if (ok && !['https:', 'http:'].includes(new URL(jwksUrl!).protocol)) ok = false;
      } catch {
        ok = false;
      }
      if (!ok) {
        ctx.addIssue({ code: 'custom', message: `entry ${out.length + 1} must be "<issuer> <JWKS URL>"` });
        return z.NEVER;
      }
      out.push({ issuer: issuer!, jwksUrl: jwksUrl! });
    }
    return out;
  });

/**
 * Settings for checking people and internal callers. Spread into a service's definition:
 * `{ ...commonSettings('id-vault', …), ...authSettings() }`. Exactly one of AUTH_JWKS_URL
 * (production) and AUTH_DEV_TOKEN_KEY (local development, demo, tests) must be set; see
 * personTokenOptionsFromConfig. Nothing here has a secret default: a deployment that forgets a
 * key refuses people or callers instead of trusting a key published in this repository.
 */
export function authSettings() {
  return {
    authIssuer: setting(
      'AUTH_OIDC_ISSUER',
      z.string().min(1).default('http://127.0.0.1:8080/portico-dev'),
      'issuer ("iss") that person access tokens must carry',
    ),
    authAudience: setting(
      'AUTH_OIDC_AUDIENCE',
      z.string().min(1).default('portico-api'),
      'audience ("aud") person access tokens must be issued for',
    ),
    authJwksUrl: setting(
      'AUTH_JWKS_URL',
      schemas.optionalUrl,
      "identity provider's JWKS URL (production); leave empty when AUTH_DEV_TOKEN_KEY is set",
    ),
    authExtraIssuers: setting(
      'AUTH_EXTRA_ISSUERS',
      extraIssuers,
      'more issuers whose person tokens are accepted besides AUTH_OIDC_ISSUER, each "<issuer> <JWKS URL>", comma-separated (e.g. the company IdP for API users next to the console)',
    ),
    authDevTokenKey: setting(
      'AUTH_DEV_TOKEN_KEY',
      z.string().optional(),
      'local development key for person tokens: HS256 secret (>= 32 chars), EC P-256 JWK or PEM; never in production',
      { secret: true },
    ),
    authClockToleranceSec: setting(
      'AUTH_CLOCK_TOLERANCE_SEC',
      z.coerce.number().int().min(0).max(300).default(DEFAULT_CLOCK_TOLERANCE_SEC),
      'allowed clock skew in seconds when checking token expiry',
    ),
    authClaimNamespace: setting(
      'AUTH_CLAIM_NAMESPACE',
      z.string().default(''),
      'prefix of the roles/tenant_id/property_ids claims, e.g. https://portico.example/',
    ),
    authServiceTokens: setting(
      'AUTH_SERVICE_TOKENS',
      serviceTokenTable,
      'internal callers accepted by this service as caller=token pairs, comma-separated; two per caller while rotating',
      { secret: true },
    ),
  };
}

/** Settings for services that accept property-system API keys (spread next to authSettings()). */
export function apiKeySettings() {
  return {
    apiKeyPeppers: setting(
      'AUTH_API_KEY_PEPPERS',
      pairs('API key pepper', 32).refine((p) => p.length > 0, 'at least one id=pepper is required'),
      'server-side peppers for API key hashes as id=secret pairs, newest first; keep old ones until their keys are gone',
      { secret: true },
    ),
    apiKeyEnvironment: setting(
      'AUTH_API_KEY_ENVIRONMENT',
      z.enum(['live', 'test']).default('test'),
      'issue and accept pk_live_ (production) or pk_test_ (everything else) keys',
    ),
  };
}

export type AuthConfig = ConfigOf<ReturnType<typeof authSettings>>;
export type ApiKeyConfig = ConfigOf<ReturnType<typeof apiKeySettings>>;

export function personTokenOptionsFromConfig(config: AuthConfig, clock?: () => Date): PersonTokenOptions {
  const jwks = config.authJwksUrl;
  const dev = config.authDevTokenKey?.trim() || undefined;
  if (jwks && dev) {
    throw new ConfigError('auth', [
      'AUTH_JWKS_URL and AUTH_DEV_TOKEN_KEY are both set: a development key must not be trusted next to a real identity provider',
    ]);
  }
  if (!jwks && !dev) {
    throw new ConfigError('auth', [
      'AUTH_JWKS_URL (production) or AUTH_DEV_TOKEN_KEY (local development) is required to check person tokens',
    ]);
  }
  const extra = config.authExtraIssuers ?? [];
  if (dev && extra.length > 0) {
    throw new ConfigError('auth', [
      'AUTH_EXTRA_ISSUERS and AUTH_DEV_TOKEN_KEY are both set: a development key must not be trusted next to real issuers',
    ]);
  }
  if (extra.some((e) => e.issuer === config.authIssuer)) {
    throw new ConfigError('auth', ['AUTH_EXTRA_ISSUERS repeats AUTH_OIDC_ISSUER']);
  }
  return {
    issuer: config.authIssuer,
    audience: config.authAudience,
    keys: jwks ? { jwksUrl: jwks } : { devKey: dev! },
    ...(extra.length > 0
      ? { additionalIssuers: extra.map((e) => ({ issuer: e.issuer, keys: { jwksUrl: e.jwksUrl } })) }
      : {}),
    clockToleranceSec: config.authClockToleranceSec,
    claimNamespace: config.authClaimNamespace,
    ...(clock ? { clock } : {}),
  };
}

export function serviceTokenVerifierFromConfig(config: AuthConfig): ServiceTokenVerifier {
  return new ServiceTokenVerifier(config.authServiceTokens);
}

export function apiKeyServiceOptionsFromConfig(
  config: ApiKeyConfig,
  extra: Partial<ApiKeyServiceOptions> = {},
): ApiKeyServiceOptions {
  const peppers: ApiKeyPepper[] = config.apiKeyPeppers.map(([id, secret]) => ({ id, secret }));
  return { ...extra, peppers, environment: config.apiKeyEnvironment };
}
