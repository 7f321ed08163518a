import { Injectable, Logger } from '@nestjs/common';
import type { OidcSettings } from '../config';
import { OidcLoginError } from './oidc-errors';

type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = import('openid-client', { with: { 'resolution-mode': 'import' } }).Configuration;

/** What the console needs from an OpenID provider. The only place that speaks the protocol. */
export interface OidcGateway {
  readonly issuer: string;
  /** Where to send the browser: code flow, PKCE S256, state and nonce. */
  authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }): Promise<string>;
  /**
   * Redeems the code of the callback (`callbackQuery`: its query string) and validates the ID token
   * (signature, issuer, audience, expiry, nonce). Answers the provider's `sub`; throws OidcLoginError.
   */
  redeem(
    callbackQuery: string,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<{ subject: string }>;
  /** RP-initiated logout at the provider, or null when it offers no end_session_endpoint. */
  endSessionUrl(): Promise<string | null>;
}

export const OIDC_GATEWAY = 'console:oidc-gateway';

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/**
 * openid-client 6 (ESM only: loaded with import(), which Node 20.19+ also lets a CommonJS build
 * require). Discovery happens on first use and is retried on the next login when it failed, so a
 * provider that is down at start does not stop the console.
 */
@Injectable()
export class OpenIdClientGateway implements OidcGateway {
  private readonly logger = new Logger('oidc');
  private configuration?: Promise<{ lib: OpenIdClient; config: Configuration }>;

  constructor(private readonly settings: OidcSettings) {}

  get issuer(): string {
    return this.settings.issuer;
  }

  private discovered(): Promise<{ lib: OpenIdClient; config: Configuration }> {
    this.configuration ??= (async () => {
      const lib = await import('openid-client');
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (local demo and tests); anything else is https.
      const execute = issuer.protocol === 'http:' && isLoopback(issuer) ? [lib.allowInsecureRequests] : [];
      const config = await lib.discovery(
        issuer,
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        {
          execute,
          timeout: 5,
        },
      );
      this.logger.log(`discovered the OpenID provider ${issuer.origin}`);
      return { lib, config };
    })();
    this.configuration.catch(() => (this.configuration = undefined));
    return this.configuration.catch((cause: unknown) => {
      throw new OidcLoginError('oidc_provider_unavailable', cause);
    });
  }

  async authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }): Promise<string> {
    const { lib, config } = await this.discovered();
    return lib
      .buildAuthorizationUrl(config, {
        redirect_uri: this.settings.redirectUrl,
        scope: this.settings.scopes,
        response_type: 'code',
        code_challenge: await lib.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
      })
      .toString();
  }

  async redeem(
    callbackQuery: string,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<{ subject: string }> {
    const { lib, config } = await this.discovered();
    // The registered redirect URL, not the request's own host: behind a proxy the two differ, and the
    // token request must repeat exactly what the authorization request said.
    const currentUrl = new URL(this.settings.redirectUrl);
    currentUrl.search = callbackQuery;
    try {
      const tokens = await lib.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const subject = tokens.claims()?.sub;
      if (!subject) throw new OidcLoginError('oidc_token_invalid');
      return { subject };
    } catch (error) {
      throw classify(lib, error);
    }
  }

  async endSessionUrl(): Promise<string | null> {
    const { lib, config } = await this.discovered();
    if (!config.serverMetadata().end_session_endpoint) return null;
    return lib
      .buildEndSessionUrl(config, { post_logout_redirect_uri: this.settings.postLogoutUrl })
      .toString();
  }
}

/** The provider said no (denied, replayed or expired code), or its answer failed a check. */
function classify(lib: OpenIdClient, error: unknown): OidcLoginError {
  if (error instanceof OidcLoginError) return error;
  if (error instanceof lib.ResponseBodyError || error instanceof lib.AuthorizationResponseError)
    return new OidcLoginError('oidc_provider_refused', error);
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('OAUTH_') || code.startsWith('ERR_JOSE'))
    return new OidcLoginError('oidc_token_invalid', error);
  return new OidcLoginError('oidc_provider_unavailable', error);
}
