import { Inject, Injectable } from '@nestjs/common';
import { PersonTokenSigner, signDevToken } from '@portico/auth';
import type { ConsoleConfig } from '../config';
import type { Session } from '../sessions/session';
import { ConsoleMetrics } from '../shared/console-metrics';
import { CONSOLE_CONFIG } from '../shared/tokens';

/**
 * The bearer token the console presents to other services on a session's behalf; it never reaches
 * the browser. Whether the person signed in with a password or through the company's IdP, the token
 * carries the console account's platform subject, roles, tenant and properties (the console's
 * mapping decides who may do what, not the IdP's claims: docs/adr/0006).
 */
export interface UpstreamCredentials {
  bearerFor(session: Session): Promise<string>;
}

export const UPSTREAM_CREDENTIALS = 'console:upstream-credentials';

function personOf(session: Session) {
  const a = session.account;
  return { subject: a.subject, roles: a.roles, tenantId: a.tenantId, propertyIds: a.propertyIds };
}

/**
 * Production: the console is the platform's issuer of person tokens. Signed with the newest of
 * CONSOLE_TOKEN_SIGNING_KEYS (kid in the header), issuer AUTH_OIDC_ISSUER; the services verify
 * against the console's /.well-known/jwks.json (AUTH_JWKS_URL).
 */
@Injectable()
export class IssuedTokenCredentials implements UpstreamCredentials {
  private readonly signer: PersonTokenSigner;

  constructor(
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
    private readonly metrics: ConsoleMetrics,
  ) {
    if (!config.tokenSigningKeys) throw new Error('CONSOLE_TOKEN_SIGNING_KEYS is not set');
    this.signer = new PersonTokenSigner({
      keyring: config.tokenSigningKeys,
      issuer: config.authIssuer,
      audience: config.authAudience,
      claimNamespace: config.authClaimNamespace,
      ttlSec: config.upstreamTokenTtlSec,
    });
  }

  async bearerFor(session: Session): Promise<string> {
    const token = await this.signer.sign(personOf(session));
    this.metrics.personTokens.inc({ key: this.signer.kid });
    return token;
  }
}

/** Local demo and tests: signed with the development key every service of the local platform verifies. */
@Injectable()
export class DevTokenCredentials implements UpstreamCredentials {
  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly metrics: ConsoleMetrics,
  ) {}

  async bearerFor(session: Session): Promise<string> {
    const key = this.config.authDevTokenKey;
    if (!key) throw new Error('CONSOLE_TOKEN_SIGNING_KEYS (or, locally, AUTH_DEV_TOKEN_KEY) is needed to sign person tokens');
    const token = await signDevToken(personOf(session), {
      key,
      issuer: this.config.authIssuer,
      audience: this.config.authAudience,
      claimNamespace: this.config.authClaimNamespace,
      expiresInSec: this.config.upstreamTokenTtlSec,
    });
    this.metrics.personTokens.inc({ key: 'development' });
    return token;
  }
}

/** Which of the two; both set is refused at start (the services never trust a dev key next to a JWKS). */
export function upstreamCredentialsClass(config: ConsoleConfig): typeof IssuedTokenCredentials | typeof DevTokenCredentials {
  if (config.tokenSigningKeys && config.authDevTokenKey?.trim()) {
    throw new Error(
      'CONSOLE_TOKEN_SIGNING_KEYS and AUTH_DEV_TOKEN_KEY are both set: the console signs with one of them (production: the signing keys)',
    );
  }
  return config.tokenSigningKeys ? IssuedTokenCredentials : DevTokenCredentials;
}
