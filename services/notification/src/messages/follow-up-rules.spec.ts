import { REJECTION_REASONS } from '@portico/contracts';
import {
  REMINDER_MUST_LEAVE_MS,
  REUPLOAD_ADVICE,
  REUPLOAD_REASONS,
  resendPlan,
  residentMayReceiveAt,
  residentNoticeNotBefore,
  taskNoticeNotBefore,
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

  describe('a task’s first messages and quiet hours (22:00-07:00 Shanghai)', () => {
    const quiet = {
      quietHours: { start: '22:00', end: '07:00' },
      timeZone: 'Asia/Shanghai',
      stepMs: 3_600_000,
      expeditedStepMs: 900_000,
      expedited: false,
      deadline: null,
    };
    // 2026-11-25 in Shanghai is UTC+8: 22:00 local = 14:00Z, 07:00 local next day = 23:00Z.
    const at = (iso: string) => new Date(iso);
    const morning = at('2026-11-25T23:00:00Z');

    it('goes at once outside quiet hours, up to the minute before they start and from their end', () => {
      expect(taskNoticeNotBefore({ ...quiet, now: at('2026-11-25T13:59:59.999Z') })).toBeUndefined();
      expect(taskNoticeNotBefore({ ...quiet, now: morning })).toBeUndefined();
    });

    it('waits for the morning from the first minute of the quiet hours to their last', () => {
      expect(taskNoticeNotBefore({ ...quiet, now: at('2026-11-25T14:00:00Z') })).toEqual(morning);
      expect(taskNoticeNotBefore({ ...quiet, now: at('2026-11-25T22:59:59.999Z') })).toEqual(morning);
    });

    it('goes at night when the morning would leave the deadline less than one escalation step', () => {
      const night = at('2026-11-25T16:00:00Z');
      const exactlyOneStep = new Date(morning.getTime() + 3_600_000);
      expect(taskNoticeNotBefore({ ...quiet, now: night, deadline: exactlyOneStep })).toEqual(morning);
      expect(
        taskNoticeNotBefore({ ...quiet, now: night, deadline: new Date(exactlyOneStep.getTime() - 1) }),
      ).toBeUndefined();
      // Expedited cases use the expedited step, as their escalation does.
      const fifteen = new Date(morning.getTime() + 900_000);
      expect(taskNoticeNotBefore({ ...quiet, now: night, deadline: fifteen, expedited: true })).toEqual(
        morning,
      );
      expect(
        taskNoticeNotBefore({
          ...quiet,
          now: night,
          deadline: new Date(fifteen.getTime() - 1),
          expedited: true,
        }),
      ).toBeUndefined();
    });
  });
});
