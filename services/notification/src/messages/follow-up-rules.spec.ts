import { REJECTION_REASONS } from '@portico/contracts';
import {
  REMINDER_MUST_LEAVE_MS,
  REUPLOAD_ADVICE,
  REUPLOAD_REASONS,
  resendPlan,
  residentMayReceiveAt,
  residentNoticeNotBefore,
} from './follow-up-rules';

const NOW = new Date('2026-11-25T06:00:00Z'); // 14:00 Shanghai
const NIGHT = new Date('2026-11-25T15:30:00Z'); // 23:30 Shanghai
const MORNING = new Date('2026-11-25T23:00:00Z'); // 07:00 Shanghai
const MIN = 60_000;
const LIMITS = { perHour: 2, perDay: 3 };

describe('follow-up rules', () => {
  it('puts the chosen channel first and keeps the others for failover', () => {
    expect(resendPlan(['sms', 'email'], 'email')).toEqual({ ok: true, plan: ['email', 'sms'] });
    expect(resendPlan(['sms', 'email'], null)).toEqual({ ok: true, plan: ['sms', 'email'] });
  });

  it('refuses a channel the resident cannot be reached on, naming the ones they can', () => {
    expect(resendPlan(['email'], 'sms')).toEqual({ ok: false, available: ['email'] });
    expect(resendPlan([], null)).toEqual({ ok: false, available: [] });
  });

  it('lets a resident receive one more message while under both limits, counting what is queued', () => {
    expect(
      residentMayReceiveAt({ recent: [new Date(NOW.getTime() - 10 * MIN)], queued: 0 }, NOW, LIMITS),
    ).toBeNull();
    // One sent ten minutes ago and one waiting in the queue: the hourly limit of two is reached.
    expect(
      residentMayReceiveAt({ recent: [new Date(NOW.getTime() - 10 * MIN)], queued: 1 }, NOW, LIMITS),
    ).toEqual(new Date(NOW.getTime() + 50 * MIN));
    // Three in the last day (none in the last hour): the daily limit decides.
    const earlier = [2, 3, 4].map((h) => new Date(NOW.getTime() - h * 3_600_000));
    expect(residentMayReceiveAt({ recent: earlier, queued: 0 }, NOW, LIMITS)).toEqual(
      new Date(earlier[2]!.getTime() + 24 * 3_600_000),
    );
  });

  it('maps every re-upload reason to a rejection reason the resident gets advice for', () => {
    for (const reason of REUPLOAD_REASONS) expect(REJECTION_REASONS).toContain(REUPLOAD_ADVICE[reason]);
    expect(REUPLOAD_ADVICE.blurry).toBe('unreadable');
    expect(REUPLOAD_ADVICE.back_missing).toBe('side_missing');
  });

  it('holds resident notices for quiet hours, unless a reminder’s deadline cannot wait', () => {
    const quiet = { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Asia/Shanghai' };
    expect(residentNoticeNotBefore({ ...quiet, now: NOW, deadline: null })).toBeUndefined();
    expect(residentNoticeNotBefore({ ...quiet, now: NIGHT, deadline: null })).toEqual(MORNING);
    const tooClose = new Date(MORNING.getTime() + REMINDER_MUST_LEAVE_MS - MIN);
    expect(residentNoticeNotBefore({ ...quiet, now: NIGHT, deadline: tooClose })).toBeUndefined();
    const later = new Date(MORNING.getTime() + REMINDER_MUST_LEAVE_MS + MIN);
    expect(residentNoticeNotBefore({ ...quiet, now: NIGHT, deadline: later })).toEqual(MORNING);
    expect(
      residentNoticeNotBefore({ quietHours: null, timeZone: 'UTC', now: NIGHT, deadline: null }),
    ).toBeUndefined();
  });
});
