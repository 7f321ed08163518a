import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError } from '../auth-error';
import { isPersonRole, type PersonPrincipal, type PersonRole } from '../principal';
import { parseDevKey } from './dev-key';

/** Where signing keys come from: the identity provider's JWKS in production, a fixed key locally. */
export type PersonTokenKeySource =
  | {
      readonly jwksUrl: string;
      readonly algorithms?: readonly string[];
      readonly timeoutMs?: number;
      readonly cacheMaxAgeMs?: number;
    }
  | { readonly devKey: string }
  /** A ready key set (e.g. jose's createLocalJWKSet) — mostly for tests. */
  | { readonly keySet: JWTVerifyGetKey; readonly algorithms: readonly string[] };

export interface PersonTokenOptions {
  readonly issuer: string | readonly string[];
  readonly audience: string | readonly string[];
  readonly keys: PersonTokenKeySource;
  /** Allowed clock skew between us and the identity provider. Default 30 s. */
  readonly clockToleranceSec?: number;
  /**
   * Prefix of the custom claims (`<ns>roles`, `<ns>tenant_id`, `<ns>property_ids`). Empty by default;
   * IdPs such as Auth0 require a namespace like `https://portico.example/`.
   */
  readonly claimNamespace?: string;
  readonly clock?: () => Date;
}

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];

export function personClaimNames(namespace = ''): { roles: string; tenantId: string; propertyIds: string } {
  return {
    roles: `${namespace}roles`,
    tenantId: `${namespace}tenant_id`,
    propertyIds: `${namespace}property_ids`,
  };
}

export class PersonTokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly remote: boolean;
  private readonly claims: ReturnType<typeof personClaimNames>;

  constructor(private readonly options: PersonTokenOptions) {
    const source = options.keys;
    if ('jwksUrl' in source) {
      // jose caches the set, refetches on an unknown `kid` (at most once per cooldown), times out.
      this.key = createRemoteJWKSet(new URL(source.jwksUrl), {
        timeoutDuration: source.timeoutMs ?? 5_000,
        cacheMaxAge: source.cacheMaxAgeMs ?? 10 * 60_000,
      });
      this.algorithms = [...(source.algorithms ?? DEFAULT_JWKS_ALGORITHMS)];
      this.remote = true;
    } else if ('devKey' in source) {
      const dev = parseDevKey(source.devKey);
      this.key = dev.verifyKey;
      this.algorithms = [dev.alg];
      this.remote = false;
    } else {
      this.key = source.keySet;
      this.algorithms = [...source.algorithms];
      this.remote = false;
    }
    if (this.algorithms.some((a) => a.startsWith('HS')) && !('devKey' in source)) {
      // A shared-secret algorithm next to public keys is how alg-confusion attacks start.
      throw new Error('HMAC algorithms are only allowed with a local development key');
    }
    this.claims = personClaimNames(options.claimNamespace);
  }

  async verify(token: string): Promise<PersonPrincipal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as KeyObject, {
        issuer: this.options.issuer as string | string[],
        audience: this.options.audience as string | string[],
        algorithms: this.algorithms,
        clockTolerance: this.options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
        requiredClaims: ['exp', 'sub'],
        ...(this.options.clock ? { currentDate: this.options.clock() } : {}),
      }));
    } catch (e) {
      throw this.mapError(e);
    }
    return this.toPrincipal(payload);
  }

  private toPrincipal(payload: JWTPayload): PersonPrincipal {
    const rawRoles = payload[this.claims.roles];
    const roles = (
      Array.isArray(rawRoles) ? rawRoles : typeof rawRoles === 'string' ? rawRoles.split(' ') : []
    ).filter(isPersonRole);
    const unique = [...new Set<PersonRole>(roles)];
    if (unique.length === 0) throw new AuthError('missing_role');

    const rawTenant = payload[this.claims.tenantId];
    const tenantId = typeof rawTenant === 'string' && rawTenant.length > 0 ? rawTenant : null;
    if (tenantId === null && !unique.includes('operator')) throw new AuthError('missing_tenant');

    const rawProperties = payload[this.claims.propertyIds];
    const propertyIds = Array.isArray(rawProperties)
      ? rawProperties.filter((p): p is string => typeof p === 'string')
      : [];
    return { kind: 'person', subject: payload.sub!, roles: unique, tenantId, propertyIds };
  }

  /** Maps jose's errors to our codes. jose errors carry the token's claims, so they are not kept as causes. */
  private mapError(e: unknown): AuthError {
    if (e instanceof errors.JWTExpired) return new AuthError('token_expired');
    if (e instanceof errors.JWTClaimValidationFailed) {
      if (e.claim === 'iss') return new AuthError('token_issuer_mismatch');
      if (e.claim === 'aud') return new AuthError('token_audience_mismatch');
      if (e.claim === 'nbf' || e.claim === 'iat') return new AuthError('token_not_yet_valid');
      return new AuthError('token_invalid');
    }
    if (e instanceof errors.JWKSTimeout) return new AuthError('unavailable');
    if (this.remote && (!(e instanceof errors.JOSEError) || e.code === 'ERR_JOSE_GENERIC')) {
      // The identity provider's key set could not be fetched: not the caller's fault.
      return new AuthError('unavailable', {
        cause: e instanceof Error ? e.message : 'jwks fetch failed',
      });
    }
    return new AuthError('token_invalid');
  }
}
