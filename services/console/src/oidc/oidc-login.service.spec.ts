import { Registry } from 'prom-client';
import type { Account } from '../accounts/account';
import type { AccountsRepository } from '../accounts/accounts.repository';
import type { LoginThrottleRepository } from '../sessions/login-throttle.repository';
import type { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { ConsoleMetrics } from '../shared/console-metrics';
import type { OidcGateway } from './oidc-gateway';
import { OidcLoginError } from './oidc-errors';
import { renderOidcErrorPage } from './oidc-error-page';
import { OidcLoginService } from './oidc-login.service';
import type { OidcLoginsRepository } from './oidc-logins.repository';
import { newPendingLogin, PENDING_LOGIN_TTL_SEC, stateMatches, type PendingLogin } from './pending-login';

const ISSUER = 'https://idp.example';
const now = new Date('2026-12-03T06:00:00Z');
const mapped: Account = {
  id: 'acc_m',
  username: 'manager.a',
  subject: 'stf_m',
  roles: ['manager'],
  tenantId: 'ten_1',
  propertyIds: ['prop_a', 'prop_b'],
  oidcIssuer: ISSUER,
};

/** The pending-login repository boundary, in memory (take removes, as the DELETE … RETURNING does). */
class FakeLogins {
  readonly rows = new Map<string, PendingLogin>();
  async insert(hash: Buffer, login: PendingLogin) {
    this.rows.set(hash.toString('hex'), login);
  }
  async take(hash: Buffer, at: Date) {
    const login = this.rows.get(hash.toString('hex'));
    this.rows.delete(hash.toString('hex'));
    return login && login.expiresAt > at ? login : null;
  }
}

/** The provider boundary: answers `sub` for the code it issued and records what it was asked. */
class FakeGateway implements OidcGateway {
  readonly issuer = ISSUER;
  readonly redeemed: Array<{ query: string; checks: PendingLogin }> = [];
  constructor(private readonly answer: () => Promise<{ subject: string }>) {}
  async authorizationUrl(checks: { state: string }) {
    return `${ISSUER}/auth?state=${checks.state}`;
  }
  async redeem(query: string, checks: PendingLogin) {
    this.redeemed.push({ query, checks });
    return this.answer();
  }
  async endSessionUrl() {
    return `${ISSUER}/session/end?client_id=c`;
  }
}

function setup(
  answer: () => Promise<{ subject: string }> = async () => ({ subject: 'sub-m' }),
  clock = () => now,
) {
  const registry = new Registry();
  const metrics = new ConsoleMetrics(registry);
  const sessionRows: unknown[] = [];
  const sessions = new SessionsService(
    { authenticate: async () => null },
    { insert: async (row: unknown) => void sessionRows.push(row) } as unknown as SessionsRepository,
    {} as LoginThrottleRepository, // OIDC sign-ins open sessions without a password, never throttled here
    metrics,
    clock,
    { idleMinutes: 60, absoluteMinutes: 600 },
  );
  const accounts = {
    findByOidcSubject: async (issuer: string, sub: string) =>
      issuer === ISSUER && sub === 'sub-m' ? mapped : null,
  } as unknown as AccountsRepository;
  const logins = new FakeLogins();
  const gateway = new FakeGateway(answer);
  const service = new OidcLoginService(
    gateway,
    logins as unknown as OidcLoginsRepository,
    accounts,
    sessions,
    metrics,
    clock,
  );
  const outcome = async (o: string) =>
    (await registry.getSingleMetric('portico_console_oidc_logins_total')!.get()).values.find(
      (v) => v.labels['outcome'] === o,
    )?.value ?? 0;
  return { service, logins, gateway, sessionRows, outcome };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OidcLoginError);
  return (error as OidcLoginError).code;
}

describe('pending logins', () => {
  it('are four independent 256-bit values and expire after the TTL', () => {
    const { binding, login } = newPendingLogin(now);
    const values = [binding, login.state, login.nonce, login.codeVerifier];
    expect(new Set(values).size).toBe(4);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/); // RFC 7636: 43+ unreserved characters
    expect(login.expiresAt.getTime() - now.getTime()).toBe(PENDING_LOGIN_TTL_SEC * 1000);
  });

  it('match only their own state', () => {
    const { login } = newPendingLogin(now);
    expect(stateMatches(login, login.state)).toBe(true);
    expect(stateMatches(login, `${login.state}x`)).toBe(false);
    expect(stateMatches(login, undefined)).toBe(false);
  });
});

describe('OidcLoginService', () => {
  it('starts with a pending login stored by the hash of its browser binding, never the binding itself', async () => {
    const { service, logins } = setup();
    const { binding, url } = await service.start();
    expect([...logins.rows.keys()]).toHaveLength(1);
    expect([...logins.rows.keys()][0]).not.toContain(binding);
    const login = [...logins.rows.values()][0]!;
    expect(url).toBe(`${ISSUER}/auth?state=${login.state}`);
  });

  it('opens a session for the mapped account, passing the pending login’s checks to the provider, once', async () => {
    const { service, gateway, sessionRows, logins, outcome } = setup();
    const { binding } = await service.start();
    const login = [...logins.rows.values()][0]!;
    const { session } = await service.finish(binding, {
      query: `?code=c1&state=${login.state}`,
      state: login.state,
    });
    expect(session.account).toBe(mapped);
    expect(sessionRows).toHaveLength(1);
    expect(gateway.redeemed).toEqual([{ query: `?code=c1&state=${login.state}`, checks: login }]);
    await expect(outcome('signed_in')).resolves.toBe(1);
    // used up: the same callback again finds nothing
    await expect(refusal(service.finish(binding, { query: '?code=c1', state: login.state }))).resolves.toBe(
      'oidc_login_expired',
    );
  });

  it('refuses a wrong state before asking the provider', async () => {
    const { service, gateway, outcome } = setup();
    const { binding } = await service.start();
    await expect(
      refusal(service.finish(binding, { query: '?code=c1&state=forged', state: 'forged' })),
    ).resolves.toBe('oidc_state_mismatch');
    expect(gateway.redeemed).toEqual([]);
    await expect(outcome('oidc_state_mismatch')).resolves.toBe(1);
  });

  it('refuses without a binding, with an unknown one, and after the pending login expired', async () => {
    let clock = now;
    const { service, logins } = setup(undefined, () => clock);
    const { binding } = await service.start();
    const state = [...logins.rows.values()][0]!.state;
    await expect(refusal(service.finish(undefined, { query: '', state }))).resolves.toBe(
      'oidc_login_expired',
    );
    await expect(refusal(service.finish('not-the-binding', { query: '', state }))).resolves.toBe(
      'oidc_login_expired',
    );
    clock = new Date(now.getTime() + (PENDING_LOGIN_TTL_SEC + 1) * 1000);
    await expect(refusal(service.finish(binding, { query: '', state }))).resolves.toBe('oidc_login_expired');
  });

  it('answers 403 for a subject the console does not map, and passes the provider’s refusals on', async () => {
    const unmapped = setup(async () => ({ subject: 'someone-else' }));
    let started = await unmapped.service.start();
    let state = [...unmapped.logins.rows.values()][0]!.state;
    const code = await refusal(unmapped.service.finish(started.binding, { query: '', state }));
    expect(code).toBe('oidc_account_not_mapped');
    expect(new OidcLoginError(code as 'oidc_account_not_mapped').status).toBe(403);

    const refused = setup(async () => {
      throw new OidcLoginError('oidc_provider_refused');
    });
    started = await refused.service.start();
    state = [...refused.logins.rows.values()][0]!.state;
    await expect(refusal(refused.service.finish(started.binding, { query: '', state }))).resolves.toBe(
      'oidc_provider_refused',
    );
  });

  it('is off without a provider: start and callback answer oidc_not_configured, logout offers nothing', async () => {
    const { service: configured } = setup();
    const off = new OidcLoginService(
      null,
      new FakeLogins() as unknown as OidcLoginsRepository,
      {} as AccountsRepository,
      {} as SessionsService,
      new ConsoleMetrics(new Registry()),
      () => now,
    );
    expect(configured.enabled).toBe(true);
    expect(off.enabled).toBe(false);
    await expect(refusal(off.start())).resolves.toBe('oidc_not_configured');
    await expect(refusal(off.finish('b', { query: '', state: 's' }))).resolves.toBe('oidc_not_configured');
    await expect(off.endSessionUrl(mapped)).resolves.toBeNull();
  });

  it('offers RP-initiated logout for accounts of the configured provider only', async () => {
    const { service } = setup();
    await expect(service.endSessionUrl(mapped)).resolves.toBe(`${ISSUER}/session/end?client_id=c`);
    await expect(service.endSessionUrl({ ...mapped, oidcIssuer: null })).resolves.toBeNull();
    await expect(
      service.endSessionUrl({ ...mapped, oidcIssuer: 'https://other.example' }),
    ).resolves.toBeNull();
  });
});

describe('renderOidcErrorPage', () => {
  it('says it in zh and en with the code, escapes, and needs no script or inline style (CSP)', () => {
    const html = renderOidcErrorPage(new OidcLoginError('oidc_account_not_mapped'));
    expect(html).toContain('data-error-code="oidc_account_not_mapped"');
    expect(html).toContain('尚未开通 Portico 控制台权限');
    expect(html).toContain('no Portico console access is set up for you');
    expect(html).not.toMatch(/<script|style=|<style/i);
  });
});
