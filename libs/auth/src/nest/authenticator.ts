import { AuthError } from '../auth-error';
import type { ApiKeyVerifier } from '../api-keys/api-key.service';
import { looksLikeApiKey } from '../api-keys/api-key-format';
import type { PersonTokenVerifier } from '../people/person-token.verifier';
import type { Principal } from '../principal';
import { SERVICE_NAME_HEADER, type ServiceTokenVerifier } from '../services/service-token.verifier';

/** What a service accepts. A missing entry means that kind of caller can never get in. */
export interface AuthModuleOptions {
  readonly people?: PersonTokenVerifier;
  readonly services?: ServiceTokenVerifier;
  readonly apiKeys?: ApiKeyVerifier;
}

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

const BEARER = /^Bearer +([^\s]+) *$/i;
const MAX_CREDENTIAL_LENGTH = 8192;

/**
 * Turns request headers into a principal. All credentials travel as `Authorization: Bearer …`:
 * - with an `x-portico-service` header: an internal service token for that service;
 * - starting with `pk_`: a property system's API key;
 * - otherwise: a person's OIDC access token (JWT).
 * Returns null when there is no Authorization header; throws AuthError for anything presented
 * that does not check out.
 */
export class Authenticator {
  constructor(private readonly options: AuthModuleOptions) {}

  async authenticate(headers: RequestHeaders): Promise<Principal | null> {
    const authorization = headers['authorization'];
    if (authorization === undefined || authorization === '') return null;
    if (typeof authorization !== 'string' || authorization.length > MAX_CREDENTIAL_LENGTH) {
      throw new AuthError('credentials_invalid');
    }
    const match = BEARER.exec(authorization);
    if (!match) throw new AuthError('credentials_invalid');
    const credential = match[1]!;

    const serviceName = headers[SERVICE_NAME_HEADER];
    if (serviceName !== undefined) {
      if (!this.options.services) throw new AuthError('method_not_configured');
      if (typeof serviceName !== 'string') throw new AuthError('service_token_invalid');
      return this.options.services.verify(serviceName.trim(), credential);
    }
    if (looksLikeApiKey(credential)) {
      if (!this.options.apiKeys) throw new AuthError('method_not_configured');
      return this.options.apiKeys.verify(credential);
    }
    if (!this.options.people) throw new AuthError('method_not_configured');
    return this.options.people.verify(credential);
  }
}
