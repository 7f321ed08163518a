import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Account } from '../accounts/account';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { Session } from '../sessions/session';
import { secretHash } from '../sessions/session-token';
import { SessionsService } from '../sessions/sessions.service';
import { ConsoleMetrics } from '../shared/console-metrics';
import { CLOCK, type Clock } from '../shared/tokens';
import { OIDC_GATEWAY, type OidcGateway } from './oidc-gateway';
import { OidcLoginError } from './oidc-errors';
import { OidcLoginsRepository } from './oidc-logins.repository';
import { newPendingLogin, stateMatches } from './pending-login';

const tracer = trace.getTracer('portico-console');

/** What the callback received: the provider's query string and the parameters the console checks. */
export interface OidcCallback {
  readonly query: string;
  readonly state?: string;
}

/**
 * The authorization-code flow with PKCE, state and nonce against the one configured provider. It
 * proves who the person is; what they may do comes from their mapped account (oidc_issuer +
 * oidc_subject), and the session is the same as a password login's. Logs and spans carry the
 * account id and outcome only: the provider's `sub` may well be an e-mail address.
 */
@Injectable()
export class OidcLoginService {
  private readonly logger = new Logger('oidc');

  constructor(
    @Optional() @Inject(OIDC_GATEWAY) private readonly gateway: OidcGateway | null,
    private readonly logins: OidcLoginsRepository,
    private readonly accounts: AccountsRepository,
    private readonly sessions: SessionsService,
    private readonly metrics: ConsoleMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return Boolean(this.gateway);
  }

  private provider(): OidcGateway {
    if (!this.gateway) throw new OidcLoginError('oidc_not_configured');
    return this.gateway;
  }

  /** A new pending login: `binding` goes to the browser's cookie, `url` is where the browser goes. */
  async start(): Promise<{ binding: string; url: string }> {
    const gateway = this.provider();
    const now = this.clock();
    const { binding, login } = newPendingLogin(now);
    const url = await gateway.authorizationUrl(login);
    await this.logins.insert(secretHash(binding), login, now);
    this.metrics.oidcLogins.inc({ outcome: 'started' });
    return { binding, url };
  }

  /** The session for a callback of this browser's pending login; refusals are OidcLoginError. */
  finish(
    binding: string | undefined,
    callback: OidcCallback,
  ): Promise<{ cookieValue: string; session: Session }> {
    return tracer.startActiveSpan('console.oidc.callback', async (span) => {
      try {
        const account = await this.verify(binding, callback);
        const opened = await this.sessions.open(account);
        span.setAttribute('portico.outcome', 'signed_in');
        this.metrics.oidcLogins.inc({ outcome: 'signed_in' });
        return opened;
      } catch (error) {
        const code = error instanceof OidcLoginError ? error.code : 'oidc_provider_unavailable';
        span.setAttribute('portico.outcome', code);
        this.metrics.oidcLogins.inc({ outcome: code });
        // the code only: the provider's error text can echo what the browser sent
        this.logger.warn({ code }, 'oidc login refused');
        throw error instanceof OidcLoginError
          ? error
          : new OidcLoginError('oidc_provider_unavailable', error);
      } finally {
        span.end();
      }
    });
  }

  private async verify(binding: string | undefined, callback: OidcCallback): Promise<Account> {
    const gateway = this.provider();
    const login =
      binding && binding.length <= 128 ? await this.logins.take(secretHash(binding), this.clock()) : null;
    if (!login) throw new OidcLoginError('oidc_login_expired');
    // Checked here before anything goes to the provider (openid-client checks it again).
    if (!stateMatches(login, callback.state)) throw new OidcLoginError('oidc_state_mismatch');
    const { subject } = await gateway.redeem(callback.query, login);
    const account = await this.accounts.findByOidcSubject(gateway.issuer, subject);
    if (!account) throw new OidcLoginError('oidc_account_not_mapped');
    return account;
  }

  /**
   * Where the browser goes after the console ended an OIDC session: the provider's end-session
   * endpoint (RP-initiated logout), or null (local account, provider without one, or unreachable:
   * the console's own session is gone either way).
   */
  async endSessionUrl(account: Account): Promise<string | null> {
    if (!this.gateway || account.oidcIssuer !== this.gateway.issuer) return null;
    try {
      return await this.gateway.endSessionUrl();
    } catch {
      return null;
    }
  }
}
