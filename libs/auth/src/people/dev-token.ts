import { SignJWT } from 'jose';
import type { PersonRole } from '../principal';
import { parseDevKey } from './dev-key';
import { personClaimNames } from './person-token.verifier';

export interface DevTokenClaims {
  readonly subject: string;
  readonly roles: readonly (PersonRole | string)[];
  readonly tenantId?: string | null;
  readonly propertyIds?: readonly string[];
  /** Anything else to put in the payload (tests use it to forge odd tokens). */
  readonly extra?: Record<string, unknown>;
}

export interface DevTokenOptions {
  /** The same string the services are configured with (AUTH_DEV_TOKEN_KEY): HS256 secret, EC JWK or PEM. */
  readonly key: string;
  readonly issuer: string;
  readonly audience: string;
  readonly claimNamespace?: string;
  /** Lifetime in seconds; default one hour. Negative values make already-expired tokens for tests. */
  readonly expiresInSec?: number;
  readonly now?: Date;
}

/**
 * Signs a person token the way a local identity provider would. For tests, demo data and local
 * development only: production services verify against the IdP's JWKS and have no signing key.
 */
export async function signDevToken(claims: DevTokenClaims, options: DevTokenOptions): Promise<string> {
  const key = parseDevKey(options.key);
  if (!key.signKey)
    throw new Error('the development key is a public key: signing needs the private key or the HS256 secret');
  const names = personClaimNames(options.claimNamespace);
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const payload: Record<string, unknown> = {
    [names.roles]: [...claims.roles],
    ...(claims.tenantId ? { [names.tenantId]: claims.tenantId } : {}),
    ...(claims.propertyIds ? { [names.propertyIds]: [...claims.propertyIds] } : {}),
    ...claims.extra,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + (options.expiresInSec ?? 3600))
    .sign(key.signKey);
}
