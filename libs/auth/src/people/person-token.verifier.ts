import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
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

/** A further issuer trusted next to the first one, with its own keys (never a development key). */
export interface TrustedIssuer {
  readonly issuer: string;
  readonly keys: Exclude<PersonTokenKeySource, { readonly devKey: string }>;
}

export interface PersonTokenOptions {
  readonly issuer: string | readonly string[];
  readonly audience: string | readonly string[];
  readonly keys: PersonTokenKeySource;
  /**
   * More issuers, each with its own key set (e.g. the console for people signed in there, plus the
   * company's IdP for API users). A token's `iss` picks the key set, and is then checked exactly:
   * a key of one issuer never vouches for a token claiming another.
   */
  readonly additionalIssuers?: readonly TrustedIssuer[];
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

/** One issuer's key set and the algorithms allowed with it. */
interface IssuerCheck {
  readonly issuer: string | string[];
  readonly key: KeyObject | JWTVerifyGetKey;
  readonly algorithms: string[];
  readonly remote: boolean;
}

function issuerCheck(issuer: string | readonly string[], source: PersonTokenKeySource): IssuerCheck {
  let check: IssuerCheck;
  const issuers = typeof issuer === 'string' ? issuer : [...issuer];
  if ('jwksUrl' in source) {
    // jose caches the set, refetches on an unknown `kid` (at most once per cooldown), times out.
    check = {
      issuer: issuers,
      key: createRemoteJWKSet(new URL(source.jwksUrl), {
        timeoutDuration: source.timeoutMs ?? 5_000,
        cacheMaxAge: source.cacheMaxAgeMs ?? 10 * 60_000,
      }),
      algorithms: [...(source.algorithms ?? DEFAULT_JWKS_ALGORITHMS)],
      remote: true,
    };
  } else if ('devKey' in source) {
    const dev = parseDevKey(source.devKey);
    check = { issuer: issuers, key: dev.verifyKey, algorithms: [dev.alg], remote: false };
  } else {
    check = { issuer: issuers, key: source.keySet, algorithms: [...source.algorithms], remote: false };
  }
  if (check.algorithms.some((a) => a.startsWith('HS')) && !('devKey' in source)) {
    // A shared-secret algorithm next to public keys is how alg-confusion attacks start.
    throw new Error('HMAC algorithms are only allowed with a local development key');
  }
  return check;
}

export class PersonTokenVerifier {
  private readonly checks: IssuerCheck[];
  private readonly claims: ReturnType<typeof personClaimNames>;

  constructor(private readonly options: PersonTokenOptions) {
    const extra = options.additionalIssuers ?? [];
    if (extra.length > 0 && 'devKey' in options.keys) {
      throw new Error('a development key must not be trusted next to other issuers');
    }
    this.checks = [
      issuerCheck(options.issuer, options.keys),
      ...extra.map((t) => issuerCheck(t.issuer, t.keys)),
    ];
    const all = this.checks.flatMap((c) => (typeof c.issuer === 'string' ? [c.issuer] : c.issuer));
    if (new Set(all).size !== all.length) throw new Error('an issuer is trusted twice');
    this.claims = personClaimNames(options.claimNamespace);
  }

  async verify(token: string): Promise<PersonPrincipal> {
    const check = this.checkFor(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, check.key as KeyObject, {
        issuer: check.issuer,
        audience: this.options.audience as string | string[],
        algorithms: check.algorithms,
        clockTolerance: this.options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
        requiredClaims: ['exp', 'sub'],
        ...(this.options.clock ? { currentDate: this.options.clock() } : {}),
      }));
    } catch (e) {
      throw this.mapError(e, check);
    }
    return this.toPrincipal(payload);
  }

  /**
   * With one issuer its check runs as before (jose reports a wrong `iss`). With several, the
   * unverified `iss` only chooses whose keys to try; jwtVerify then checks signature and `iss`.
   */
  private checkFor(token: string): IssuerCheck {
    if (this.checks.length === 1) return this.checks[0]!;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new AuthError('token_invalid');
    }
    const found = this.checks.find((c) => (typeof c.issuer === 'string' ? c.issuer === iss : c.issuer.includes(iss as string)));
    if (!found) throw new AuthError('token_issuer_mismatch');
    return found;
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
  private mapError(e: unknown, check: IssuerCheck): AuthError {
    if (e instanceof errors.JWTExpired) return new AuthError('token_expired');
    if (e instanceof errors.JWTClaimValidationFailed) {
      if (e.claim === 'iss') return new AuthError('token_issuer_mismatch');
      if (e.claim === 'aud') return new AuthError('token_audience_mismatch');
      if (e.claim === 'nbf' || e.claim === 'iat') return new AuthError('token_not_yet_valid');
      return new AuthError('token_invalid');
    }
    if (e instanceof errors.JWKSTimeout) return new AuthError('unavailable');
    if (check.remote && (!(e instanceof errors.JOSEError) || e.code === 'ERR_JOSE_GENERIC')) {
      // The identity provider's key set could not be fetched: not the caller's fault.
      return new AuthError('unavailable', {
        cause: e instanceof Error ? e.message : 'jwks fetch failed',
      });
    }
    return new AuthError('token_invalid');
  }
}
