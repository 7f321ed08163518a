// The throttle's SQL on real Postgres (the console's own migrations): counting, forgetting,
// concurrent failures, clearing and purging. The decisions on top are unit-tested
// (login-throttle.spec.ts, sessions.service.spec.ts).
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { migrations } from '../../migrations';
import { ACCOUNT_POLICY, throttleKey, waitSeconds } from './login-throttle';
import { LoginThrottleRepository } from './login-throttle.repository';

describe('LoginThrottleRepository (real Postgres)', () => {
  let db: MigratedTestDatabase;
  let repo: LoginThrottleRepository;
  const t0 = new Date('2026-12-03T08:00:00Z');
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  beforeAll(async () => {
    db = await createMigratedTestDatabase('console_throttle', migrations);
    repo = new LoginThrottleRepository(db.dataSource);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('counts failures per key and keeps the latest time', async () => {
    const key = throttleKey('steward.count');
    await repo.recordFailure(key, at(0), ACCOUNT_POLICY);
    await repo.recordFailure(key, at(5), ACCOUNT_POLICY);
    await expect(repo.find(key)).resolves.toEqual({ failures: 2, lastFailureAt: at(5) });
    await expect(repo.find(throttleKey('steward.other'))).resolves.toBeUndefined();
  });

  it('counts every one of concurrent failures (one statement each, no lost update)', async () => {
    const key = throttleKey('steward.concurrent');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => repo.recordFailure(key, at(i % 3), ACCOUNT_POLICY)),
    );
    const record = await repo.find(key);
    expect(record).toEqual({ failures: 20, lastFailureAt: at(2) });
    expect(waitSeconds(record, at(2), ACCOUNT_POLICY)).toBe(ACCOUNT_POLICY.maxDelaySeconds);
  });

  it('starts over at one once the last failure is past the policy memory', async () => {
    const key = throttleKey('steward.forgotten');
    for (let i = 0; i < 7; i++) await repo.recordFailure(key, at(i), ACCOUNT_POLICY);
    await repo.recordFailure(key, at(6 + ACCOUNT_POLICY.forgetAfterSeconds), ACCOUNT_POLICY);
    await expect(repo.find(key)).resolves.toEqual({
      failures: 1,
      lastFailureAt: at(6 + ACCOUNT_POLICY.forgetAfterSeconds),
    });
  });

  it('clears a key, and purges only records older than the cut-off; no readable user name is stored', async () => {
    const kept = throttleKey('steward.kept');
    const old = throttleKey('steward.old');
    const cleared = throttleKey('steward.cleared');
    await repo.recordFailure(kept, at(100), ACCOUNT_POLICY);
    await repo.recordFailure(old, at(-100), ACCOUNT_POLICY);
    await repo.recordFailure(cleared, at(100), ACCOUNT_POLICY);
    await repo.clear(cleared);
    await expect(repo.find(cleared)).resolves.toBeUndefined();
    expect(await repo.purgeOlderThan(at(-50))).toBeGreaterThanOrEqual(1);
    await expect(repo.find(old)).resolves.toBeUndefined();
    await expect(repo.find(kept)).resolves.toMatchObject({ failures: 1 });
    const dump = JSON.stringify(
      await db.dataSource.query(`SELECT encode(key_hash, 'escape') AS k FROM console_login_failures`),
    );
    expect(dump).not.toContain('steward');
  });
});
