import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Account } from '../accounts/account';
import { LOGIN_AUTHENTICATOR, type LoginAuthenticator } from '../accounts/login-authenticator';
import { ConsoleMetrics } from '../shared/console-metrics';
import { LoginFailedError, LoginThrottledError } from '../shared/console-errors';
import { CLOCK, type Clock } from '../shared/tokens';
import type { Session } from './session';
import { ACCOUNT_POLICY, ADDRESS_POLICY, addressThrottleKey, throttleKey, waitSeconds } from './login-throttle';
import { addressThrottleSubject } from './client-address';
import { LoginThrottleRepository } from './login-throttle.repository';
import { newSecret, secretHash } from './session-token';
import { initialExpiry, renewedExpiry, SESSION_LIFETIME, type SessionLifetime } from './session-lifetime';
import { SessionsRepository } from './sessions.repository';

/** How often stale throttle records are deleted (on a failure, at most this often per instance). */
const THROTTLE_PURGE_EVERY_MS = 3600_000;


/** Sign-in, sign-out and finding the session of a request. Logs carry session and account ids only. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('sessions');
  private lastThrottlePurge = 0;

  constructor(
    @Inject(LOGIN_AUTHENTICATOR) private readonly authenticator: LoginAuthenticator,
    private readonly sessions: SessionsRepository,
    private readonly throttle: LoginThrottleRepository,
    private readonly metrics: ConsoleMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SESSION_LIFETIME) private readonly lifetime: SessionLifetime,
  ) {}

  /**
   * A new session for these credentials; `cookieValue` goes to the browser once and is stored hashed.
   * Failed attempts are counted per account and per client address and slow further guesses down
   * (login-throttle.ts); the check comes before the password hash is computed, so a throttled
   * guesser costs no argon2 time.
   */
  async login(
    credentials: { username: string; password: string },
    clientAddress: string | null = null,
  ): Promise<{ cookieValue: string; session: Session }> {
    const now = this.clock();
    const key = throttleKey(credentials.username);
    const addressKey = clientAddress ? addressThrottleKey(addressThrottleSubject(clientAddress)) : null;
    const [accountRecord, addressRecord] = await Promise.all([
      this.throttle.find(key),
      addressKey ? this.throttle.find(addressKey) : undefined,
    ]);
    const byAccount = waitSeconds(accountRecord, now, ACCOUNT_POLICY);
    const byAddress = waitSeconds(addressRecord, now, ADDRESS_POLICY);
    const wait = Math.max(byAccount, byAddress);
    if (wait > 0) {
      const scope = byAccount >= byAddress ? 'account' : 'address';
      this.metrics.logins.inc({ outcome: 'throttled' });
      this.metrics.loginThrottled.inc({ scope });
      // never the address or the typed name: the scope says which counter held it back
      this.logger.warn({ retryAfterSeconds: wait, scope }, 'login throttled');
      throw new LoginThrottledError(wait);
    }
    const account: Account | null = await this.authenticator.authenticate(credentials);
    if (!account) {
      await this.throttle.recordFailure(key, now, ACCOUNT_POLICY);
      // A success does not clear the address's count: one valid account must not reset it for a
      // guesser who holds one. It is forgotten an hour after the last failure instead.
      if (addressKey) await this.throttle.recordFailure(addressKey, now, ADDRESS_POLICY);
      await this.purgeStaleThrottleRecords(now);
      this.metrics.logins.inc({ outcome: 'refused' });
      this.logger.warn('login refused');
      throw new LoginFailedError();
    }
    await this.throttle.clear(key);
    return this.open(account);
  }

  private async purgeStaleThrottleRecords(now: Date): Promise<void> {
    if (now.getTime() - this.lastThrottlePurge < THROTTLE_PURGE_EVERY_MS) return;
    this.lastThrottlePurge = now.getTime();
    await this.throttle.purgeOlderThan(new Date(now.getTime() - ACCOUNT_POLICY.forgetAfterSeconds * 1000));
  }

  /**
   * A new session for an account whose person has proved who they are (a password above, or the
   * OpenID provider's callback): the same cookie, CSRF token and lifetime whichever way.
   */
  async open(account: Account): Promise<{ cookieValue: string; session: Session }> {
    const now = this.clock();
    const cookieValue = newSecret();
    const session: Session = { id: randomUUID(), account, csrfToken: newSecret(), ...initialExpiry(now, this.lifetime) };
    await this.sessions.insert({
      id: session.id,
      tokenHash: secretHash(cookieValue),
      accountId: account.id,
      csrfToken: session.csrfToken,
      createdAt: now,
      expiresAt: session.expiresAt,
      maxExpiresAt: session.maxExpiresAt!,
    });
    this.metrics.logins.inc({ outcome: 'signed_in' });
    this.logger.log({ sessionId: session.id, accountId: account.id, via: account.oidcIssuer ? 'oidc' : 'password' }, 'signed in');
    return { cookieValue, session };
  }

  /**
   * The live session of a request's cookie. A request is a use: it pushes the idle end forward
   * (session-lifetime.ts), unless `renew` is false — the live-update stream, which a browser keeps
   * open by itself and which must not keep an unattended session alive.
   */
  async find(cookieValue: string | undefined, options: { renew?: boolean } = {}): Promise<Session | null> {
    if (!cookieValue || cookieValue.length > 128) return null;
    const now = this.clock();
    const session = await this.sessions.findLive(secretHash(cookieValue), now);
    if (!session || options.renew === false) return session;
    const expiresAt = renewedExpiry(session, now, this.lifetime);
    if (!expiresAt) return session;
    if (!(await this.sessions.renew(session.id, expiresAt, now))) return null;
    this.metrics.sessionRenewals.inc();
    return { ...session, expiresAt };
  }

  async logout(session: Session): Promise<void> {
    await this.sessions.revoke(session.id, this.clock());
    this.logger.log({ sessionId: session.id, accountId: session.account.id }, 'signed out');
  }
}
