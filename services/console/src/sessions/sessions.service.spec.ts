import { Registry } from 'prom-client';
import type { Account } from '../accounts/account';
import type { LoginAuthenticator } from '../accounts/login-authenticator';
import { ConsoleMetrics } from '../shared/console-metrics';
import { LoginFailedError, LoginThrottledError } from '../shared/console-errors';
import type { FailureRecord } from './login-throttle';
import type { LoginThrottleRepository } from './login-throttle.repository';
import type { Session } from './session';
import { secretHash } from './session-token';
import type { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

const account: Account = { id: 'acc_1', username: 'steward.a', subject: 'stf_1', roles: ['steward'], tenantId: 'ten_1', propertyIds: ['prop_a'] };
const now = new Date('2026-12-02T10:00:00Z');

/** The repository boundary, in memory. */
class FakeSessions {
  rows: { id: string; tokenHash: Buffer; csrfToken: string; expiresAt: Date; maxExpiresAt: Date; revoked: boolean }[] = [];
  renewals = 0;
  async insert(row: { id: string; tokenHash: Buffer; csrfToken: string; expiresAt: Date; maxExpiresAt: Date }) {
    this.rows.push({ ...row, revoked: false });
  }
  async findLive(hash: Buffer, at: Date): Promise<Session | null> {
    const r = this.rows.find((x) => x.tokenHash.equals(hash) && !x.revoked && x.expiresAt > at);
    return r ? { id: r.id, account, csrfToken: r.csrfToken, expiresAt: r.expiresAt, maxExpiresAt: r.maxExpiresAt } : null;
  }
  async renew(id: string, expiresAt: Date, at: Date): Promise<boolean> {
    const r = this.rows.find((x) => x.id === id && !x.revoked && x.expiresAt > at);
    if (!r) return false;
    r.expiresAt = expiresAt;
    this.renewals++;
    return true;
  }
  async revoke(id: string) {
    for (const r of this.rows) if (r.id === id) r.revoked = true;
  }
}

/** The throttle repository boundary, in memory (its SQL is tested on Postgres in login-throttle.int-spec). */
class FakeThrottle {
  records = new Map<string, FailureRecord>();
  async find(key: Buffer) {
    return this.records.get(key.toString('hex'));
  }
  async recordFailure(key: Buffer, at: Date) {
    const r = this.records.get(key.toString('hex'));
    this.records.set(key.toString('hex'), { failures: (r?.failures ?? 0) + 1, lastFailureAt: at });
  }
  async clear(key: Buffer) {
    this.records.delete(key.toString('hex'));
  }
  async purgeOlderThan() {
    return 0;
  }
}

function service(authenticate: LoginAuthenticator['authenticate'], clock = () => now) {
  const repo = new FakeSessions();
  const throttle = new FakeThrottle();
  const registry = new Registry();
  const s = new SessionsService(
    { authenticate },
    repo as unknown as SessionsRepository,
    throttle as unknown as LoginThrottleRepository,
    new ConsoleMetrics(registry),
    clock,
    { idleMinutes: 60, absoluteMinutes: 600 },
  );
  return { s, repo, throttle, registry };
}

describe('SessionsService', () => {
  it('creates a session stored by the hash of its cookie, valid for the configured minutes', async () => {
    const { s, repo } = service(async () => account);
    const { cookieValue, session } = await s.login({ username: 'steward.a', password: 'x' });
    expect(repo.rows[0]!.tokenHash.equals(secretHash(cookieValue))).toBe(true);
    expect(JSON.stringify(repo.rows)).not.toContain(cookieValue);
    expect(session.expiresAt).toEqual(new Date(now.getTime() + 60 * 60_000));
    await expect(s.find(cookieValue)).resolves.toMatchObject({ id: session.id });
  });

  it('slides the idle end on use, up to the absolute maximum; the live stream does not renew', async () => {
    let clock = now;
    const { s, repo, registry } = service(async () => account, () => clock);
    const { cookieValue, session } = await s.login({ username: 'steward.a', password: 'x' });
    expect(session.maxExpiresAt).toEqual(new Date(now.getTime() + 600 * 60_000));
    const after = (min: number) => new Date(now.getTime() + min * 60_000);

    clock = after(50); // used after 50 minutes: ends 60 minutes later
    await expect(s.find(cookieValue)).resolves.toMatchObject({ expiresAt: after(110) });
    clock = after(50.5); // a burst: no second write
    await s.find(cookieValue);
    expect(repo.renewals).toBe(1);
    clock = after(100); // the live stream reconnecting: no renewal
    await expect(s.find(cookieValue, { renew: false })).resolves.toMatchObject({ expiresAt: after(110) });
    expect(repo.renewals).toBe(1);
    clock = after(111); // idle for 61 minutes: gone
    await expect(s.find(cookieValue)).resolves.toBeNull();
    expect(await registry.getSingleMetricAsString('portico_console_session_renewals_total')).toContain(' 1');

    // kept busy, it still ends at the absolute maximum
    clock = now;
    const busy = await s.login({ username: 'steward.a', password: 'x' });
    for (let min = 50; min < 600; min += 50) {
      clock = after(min);
      await expect(s.find(busy.cookieValue)).resolves.not.toBeNull();
    }
    clock = after(599);
    await expect(s.find(busy.cookieValue)).resolves.toMatchObject({ expiresAt: after(600) });
    clock = after(600);
    await expect(s.find(busy.cookieValue)).resolves.toBeNull();
  });

  it('refuses the request when the session ended between reading and renewing it', async () => {
    let clock = now;
    const { s, repo } = service(async () => account, () => clock);
    const { cookieValue } = await s.login({ username: 'steward.a', password: 'x' });
    clock = new Date(now.getTime() + 30 * 60_000);
    repo.renew = async () => false; // e.g. the account was disabled meanwhile
    await expect(s.find(cookieValue)).resolves.toBeNull();
  });

  it('answers one generic error for refused credentials and counts it', async () => {
    const { s, repo, registry } = service(async () => null);
    await expect(s.login({ username: 'nobody', password: 'x' })).rejects.toBeInstanceOf(LoginFailedError);
    expect(repo.rows).toHaveLength(0);
    expect(await registry.getSingleMetricAsString('portico_console_logins_total')).toContain('outcome="refused"} 1');
  });

  it('slows one address guessing many user names down after 30 failures; other addresses and a success do not reset it', async () => {
    let clock = now;
    let asked = 0;
    const { s, registry } = service(async ({ username, password }) => {
      asked += 1;
      return username === 'steward.a' && password === 'right' ? account : null;
    }, () => clock);
    const guesser = '198.51.100.7';
    for (let i = 0; i < 30; i++)
      await expect(s.login({ username: `name${i}`, password: 'p' }, guesser)).rejects.toBeInstanceOf(LoginFailedError);
    const held = await s.login({ username: 'name-new', password: 'p' }, guesser).catch((e: unknown) => e);
    expect(held).toBeInstanceOf(LoginThrottledError);
    expect((held as LoginThrottledError).retryAfterSeconds).toBe(10);
    expect(asked).toBe(30); // no password hash computed while held back
    // another address is not affected, nor a caller whose address is unknown
    await expect(s.login({ username: 'steward.a', password: 'right' }, '203.0.113.9')).resolves.toBeDefined();
    await expect(s.login({ username: 'name-x', password: 'p' }, null)).rejects.toBeInstanceOf(LoginFailedError);
    // after the wait a valid sign-in from there works, and does not reset the address's count:
    clock = new Date(now.getTime() + 11_000);
    await expect(s.login({ username: 'steward.a', password: 'right' }, guesser)).resolves.toBeDefined();
    await expect(s.login({ username: 'name-31', password: 'p' }, guesser)).rejects.toBeInstanceOf(LoginFailedError);
    const doubled = await s.login({ username: 'name-32', password: 'p' }, guesser).catch((e: unknown) => e);
    expect((doubled as LoginThrottledError).retryAfterSeconds).toBe(20);
    // IPv6: the whole /64 shares one counter
    for (let i = 0; i < 30; i++) await s.login({ username: `v6-${i}`, password: 'p' }, `2001:db8:1:2::${i + 1}`).catch(() => undefined);
    await expect(s.login({ username: 'v6-new', password: 'p' }, '2001:db8:1:2:ffff::1')).rejects.toBeInstanceOf(LoginThrottledError);
    expect(await registry.getSingleMetricAsString('portico_console_login_throttled_total')).toContain('scope="address"} 3');
  });

  it('slows a guessed account down after five failures, without asking the authenticator, and counts it', async () => {
    let clock = now;
    let asked = 0;
    const { s, registry } = service(async ({ password }) => {
      asked += 1;
      return password === 'right' ? account : null;
    }, () => clock);
    for (let i = 0; i < 5; i++) await expect(s.login({ username: 'steward.a', password: `guess${i}` })).rejects.toBeInstanceOf(LoginFailedError);
    const throttled = await s.login({ username: ' STEWARD.A', password: 'right' }).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(LoginThrottledError);
    expect((throttled as LoginThrottledError).retryAfterSeconds).toBe(30);
    expect((throttled as LoginThrottledError).status).toBe(429);
    expect(asked).toBe(5);
    // Another account is not affected; after the wait the right password goes in and the count starts over.
    await expect(s.login({ username: 'steward.b', password: 'x' })).rejects.toBeInstanceOf(LoginFailedError);
    clock = new Date(now.getTime() + 30_000);
    await expect(s.login({ username: 'steward.a', password: 'right' })).resolves.toMatchObject({ session: { account } });
    for (let i = 0; i < 5; i++) await expect(s.login({ username: 'steward.a', password: 'no' })).rejects.toBeInstanceOf(LoginFailedError);
    expect(await registry.getSingleMetricAsString('portico_console_logins_total')).toContain('outcome="throttled"} 1');
  });

  it('finds nothing after logout, after expiry, or for a missing or oversized cookie', async () => {
    let clock = now;
    const { s } = service(async () => account, () => clock);
    const first = await s.login({ username: 'a', password: 'b' });
    await s.logout(first.session);
    await expect(s.find(first.cookieValue)).resolves.toBeNull();
    const second = await s.login({ username: 'a', password: 'b' });
    clock = new Date(now.getTime() + 61 * 60_000);
    await expect(s.find(second.cookieValue)).resolves.toBeNull();
    await expect(s.find(undefined)).resolves.toBeNull();
    await expect(s.find('x'.repeat(500))).resolves.toBeNull();
  });
});
