import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { PersonRole } from '../principal';
import { personClaimNames } from './person-token.verifier';
import type { SigningKeyring } from './signing-keys';

export interface PersonTokenSubject {
  readonly subject: string;
  readonly roles: readonly PersonRole[];
  readonly tenantId: string | null;
  readonly propertyIds: readonly string[];
}

export interface PersonTokenSignerOptions {
  readonly keyring: SigningKeyring;
  readonly issuer: string;
  readonly audience: string;
  readonly claimNamespace?: string;
  readonly ttlSec: number;
  readonly clock?: () => Date;
}

/**
 * Signs short-lived person tokens as a Portico issuer (the console): the claims the services read
 * (roles, tenant, properties under the claim namespace) and a `kid` header naming the newest key of
 * the keyring, so verifiers that fetch the issuer's JWKS pick the right key during a rotation.
 * The token holds ids only (platform subject, tenant, properties), no names.
 */
export class PersonTokenSigner {
  private readonly claims: ReturnType<typeof personClaimNames>;

  constructor(private readonly options: PersonTokenSignerOptions) {
    this.claims = personClaimNames(options.claimNamespace);
  }

  get kid(): string {
    return this.options.keyring.current.kid;
  }

  sign(person: PersonTokenSubject): Promise<string> {
    const key = this.options.keyring.current;
    const nowSec = Math.floor((this.options.clock?.() ?? new Date()).getTime() / 1000);
    return new SignJWT({
      [this.claims.roles]: [...person.roles],
      ...(person.tenantId ? { [this.claims.tenantId]: person.tenantId } : {}),
      [this.claims.propertyIds]: [...person.propertyIds],
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setSubject(person.subject)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(nowSec)
      .setNotBefore(nowSec)
      .setExpirationTime(nowSec + this.options.ttlSec)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }
}
