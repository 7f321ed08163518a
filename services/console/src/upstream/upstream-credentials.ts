import { Inject, Injectable } from '@nestjs/common';
import { signDevToken } from '@portico/auth';
import type { ConsoleConfig } from '../config';
import type { Session } from '../sessions/session';
import { CONSOLE_CONFIG } from '../shared/tokens';

/**
 * The bearer token the console presents to other services on a session's behalf; it never reaches
 * the browser. Local accounts: a short-lived person token signed with the platform's development
 * key (what the services verify). An OIDC adapter would return the IdP's access token kept with the
 * session instead.
 */
export interface UpstreamCredentials {
  bearerFor(session: Session): Promise<string>;
}

export const UPSTREAM_CREDENTIALS = 'console:upstream-credentials';

@Injectable()
export class DevTokenCredentials implements UpstreamCredentials {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  bearerFor(session: Session): Promise<string> {
    const key = this.config.authDevTokenKey;
    if (!key) throw new Error('AUTH_DEV_TOKEN_KEY is needed to sign tokens for local accounts');
    const a = session.account;
    return signDevToken(
      { subject: a.subject, roles: a.roles, tenantId: a.tenantId, propertyIds: a.propertyIds },
      {
        key,
        issuer: this.config.authIssuer,
        audience: this.config.authAudience,
        claimNamespace: this.config.authClaimNamespace,
        expiresInSec: this.config.upstreamTokenTtlSec,
      },
    );
  }
}
