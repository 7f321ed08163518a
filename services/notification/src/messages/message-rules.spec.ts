import type { ChannelKind } from '../channels/channel';
import {
  afterFailure,
  rateLimitedUntil,
  residentConsentOf,
  residentPlan,
  smsNumber,
  staffPlan,
  type ResidentReachability,
} from './message-rules';

const all = () => true;
const only =
  (...kinds: ChannelKind[]) =>
  (k: ChannelKind) =>
    kinds.includes(k);
const NOW = new Date('2026-12-01T10:00:00Z');
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);

function reach(overrides: Partial<ResidentReachability> = {}): ResidentReachability {
  return {
    consent: { sms: true, email: true, wecom: false },
    preferences: [],
    hasAddress: { sms: true, email: true, wecom: true },
    ...overrides,
  };
}

describe('channel plans', () => {
  it('tries a resident on consented channels only, in their preference order', () => {
    expect(residentPlan(reach(), all)).toEqual(['sms', 'email']);
    expect(residentPlan(reach({ preferences: ['email'] }), all)).toEqual(['email', 'sms']);
    expect(residentPlan(reach({ consent: { sms: false, email: true, wecom: false } }), all)).toEqual([
      'email',
    ]);
  });

  it('has no channel (so no message) without consent, without an address, or when the channel is off', () => {
    expect(residentPlan(reach({ consent: { sms: false, email: false, wecom: false } }), all)).toEqual([]);
    expect(residentPlan(reach({ hasAddress: { sms: false, email: true, wecom: true } }), all)).toEqual([
      'email',
    ]);
    expect(residentPlan(reach(), only('email'))).toEqual(['email']);
  });

  it('reaches residents on WeCom by the app message, never by a group robot, and only where the app is set up', () => {
    const wecomOnly = reach({ consent: { sms: true, email: false, wecom: true }, preferences: ['wecom'] });
    expect(residentPlan(wecomOnly, all)).toEqual(['wecom_app', 'sms']);
    expect(residentPlan(wecomOnly, (k) => k !== 'wecom_app')).toEqual(['sms']);
    expect(residentPlan(wecomOnly, all)).not.toContain('wecom');
    expect(residentConsentOf('wecom_app')).toBe('wecom');
    expect(residentConsentOf('wecom')).toBeNull();
    expect(residentConsentOf('sms')).toBe('sms');
  });

  it('reaches staff on their directory channel, then on web push, skipping what is disabled', () => {
    expect(staffPlan('wecom', all)).toEqual(['wecom', 'web_push']);
    expect(staffPlan('web_push', all)).toEqual(['web_push']);
    expect(staffPlan('dingtalk', only('web_push'))).toEqual(['web_push']);
    expect(staffPlan('email', only())).toEqual([]);
  });
});

describe('after a failed attempt', () => {
  const delays = [30_000, 120_000, 600_000];
  const plan: ChannelKind[] = ['sms', 'email'];

  it('retries a retryable failure on the same channel with the configured back-off', () => {
    const failure = { code: 'HTTP_503', retryable: true, scope: 'channel' as const };
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 1 }, failure, delays, NOW),
    ).toEqual({
      next: 'retry',
      at: new Date(NOW.getTime() + 30_000),
    });
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 3 }, failure, delays, NOW),
    ).toEqual({
      next: 'retry',
      at: new Date(NOW.getTime() + 600_000),
    });
  });

  it('honours a longer wait the provider asked for', () => {
    const failure = { code: 'X', retryable: true, scope: 'message' as const, retryAfterMs: 90_000 };
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 1 }, failure, delays, NOW),
    ).toEqual({
      next: 'retry',
      at: new Date(NOW.getTime() + 90_000),
    });
  });

  it('fails over to the next channel when the retries are used up, and gives up after the last channel', () => {
    const failure = { code: 'HTTP_503', retryable: true, scope: 'channel' as const };
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 4 }, failure, delays, NOW),
    ).toEqual({
      next: 'failover',
      channelIndex: 1,
      channel: 'email',
    });
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 1, channelAttempt: 4 }, failure, delays, NOW),
    ).toEqual({
      next: 'give_up',
    });
  });

  it('skips the retries for a permanent failure (invalid address, 4xx)', () => {
    const failure = { code: 'SMS_isv.MOBILE_NUMBER_ILLEGAL', retryable: false, scope: 'channel' as const };
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 1 }, failure, delays, NOW),
    ).toEqual({
      next: 'failover',
      channelIndex: 1,
      channel: 'email',
    });
  });

  it('never fails over for a failure every channel shares (the upload link)', () => {
    const failure = { code: 'VAULT_CASE_CLOSED', retryable: false, scope: 'message' as const };
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 1 }, failure, delays, NOW),
    ).toEqual({
      next: 'give_up',
    });
  });

  it('with no retry delays configured, fails over after the first attempt', () => {
    const failure = { code: 'TIMEOUT', retryable: true, scope: 'channel' as const };
    expect(
      afterFailure({ channelPlan: plan, channelIndex: 0, channelAttempt: 1 }, failure, [], NOW).next,
    ).toBe('failover');
  });
});

describe('per-recipient rate limit', () => {
  const limits = { perHour: 3, perDay: 5 };

  it('lets a message through below both limits', () => {
    expect(rateLimitedUntil([], NOW, limits)).toBeNull();
    expect(rateLimitedUntil([at(10), at(20)], NOW, limits)).toBeNull();
  });

  it('makes the next message wait until the oldest one of the hour leaves the window', () => {
    expect(rateLimitedUntil([at(50), at(20), at(10)], NOW, limits)).toEqual(
      new Date(at(50).getTime() + 3600_000),
    );
    // older than an hour does not count for the hourly limit
    expect(rateLimitedUntil([at(70), at(20), at(10)], NOW, limits)).toBeNull();
  });

  it('applies the daily limit over a rolling 24 hours', () => {
    const day = [at(23 * 60), at(20 * 60), at(10 * 60), at(5 * 60), at(90)];
    expect(rateLimitedUntil(day, NOW, limits)).toEqual(new Date(at(23 * 60).getTime() + 24 * 3600_000));
    expect(rateLimitedUntil([at(25 * 60), ...day.slice(1)], NOW, limits)).toBeNull();
  });
});

describe('SMS numbers', () => {
  it('writes numbers the way SendSms wants them', () => {
    expect(smsNumber('+86 139 1234 5678')).toBe('13912345678');
    expect(smsNumber('13912345678')).toBe('13912345678');
    expect(smsNumber('+852 6123 4567')).toBe('0085261234567');
    expect(smsNumber('call me')).toBeNull();
  });
});
