import { ACCOUNT_POLICY, throttleKey, waitSeconds, type ThrottlePolicy } from './login-throttle';

const policy: ThrottlePolicy = {
  freeFailures: 3,
  baseDelaySeconds: 10,
  maxDelaySeconds: 60,
  forgetAfterSeconds: 3600,
};
const last = new Date('2026-12-03T08:00:00Z');
const after = (seconds: number) => new Date(last.getTime() + seconds * 1000);

describe('waitSeconds', () => {
  it('lets the free failures through without a wait', () => {
    expect(waitSeconds(undefined, last, policy)).toBe(0);
    expect(waitSeconds({ failures: 2, lastFailureAt: last }, last, policy)).toBe(0);
  });

  it('waits the base delay once the free failures are used, to the second', () => {
    const record = { failures: 3, lastFailureAt: last };
    expect(waitSeconds(record, last, policy)).toBe(10);
    expect(waitSeconds(record, after(9.2), policy)).toBe(1);
    expect(waitSeconds(record, after(10), policy)).toBe(0);
  });

  it('doubles the delay with every further failure, up to the cap', () => {
    expect(waitSeconds({ failures: 4, lastFailureAt: last }, last, policy)).toBe(20);
    expect(waitSeconds({ failures: 5, lastFailureAt: last }, last, policy)).toBe(40);
    expect(waitSeconds({ failures: 6, lastFailureAt: last }, last, policy)).toBe(60);
    expect(waitSeconds({ failures: 60, lastFailureAt: last }, last, policy)).toBe(60);
  });

  it('forgets a record once its last failure is old enough', () => {
    const record = { failures: 60, lastFailureAt: last };
    expect(waitSeconds(record, after(3599), policy)).toBe(0); // past the cap already
    const slow: ThrottlePolicy = { ...policy, maxDelaySeconds: 7200 };
    expect(waitSeconds(record, after(3599), slow)).toBeGreaterThan(0);
    expect(waitSeconds(record, after(3600), slow)).toBe(0);
  });

  it('the account policy: five free failures, then 30 s, at most 15 minutes', () => {
    expect(waitSeconds({ failures: 4, lastFailureAt: last }, last, ACCOUNT_POLICY)).toBe(0);
    expect(waitSeconds({ failures: 5, lastFailureAt: last }, last, ACCOUNT_POLICY)).toBe(30);
    expect(waitSeconds({ failures: 50, lastFailureAt: last }, last, ACCOUNT_POLICY)).toBe(900);
  });
});

describe('throttleKey', () => {
  it('is one key per user name whatever its case and surrounding spaces, and does not contain it', () => {
    expect(throttleKey(' Steward.A ').equals(throttleKey('steward.a'))).toBe(true);
    expect(throttleKey('steward.a').equals(throttleKey('steward.b'))).toBe(false);
    expect(throttleKey('steward.a').toString('latin1')).not.toContain('steward');
    expect(throttleKey('steward.a')).toHaveLength(32);
  });
});
