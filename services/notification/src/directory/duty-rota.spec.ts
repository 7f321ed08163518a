import type { RotaEntry } from './directory.types';
import { isQuietHours, isWithinWindow, localWeekdayAndMinutes, pickOnDutySteward } from './duty-rota';
import { usableChannels } from './directory.types';

const entry = (overrides: Partial<RotaEntry>): RotaEntry => ({
  staffId: 'stf_a',
  role: 'steward',
  language: 'zh',
  onDuty: true,
  priority: 100,
  weekdays: null,
  startsAt: null,
  endsAt: null,
  ...overrides,
});

// Wednesday 2026-11-25 14:00 in Shanghai.
const WED_1400_SHANGHAI = new Date('2026-11-25T06:00:00Z');
const TZ = 'Asia/Shanghai';

describe('duty rota', () => {
  it('reads local weekday and time in the property time zone', () => {
    expect(localWeekdayAndMinutes(WED_1400_SHANGHAI, TZ)).toEqual({ weekday: 3, minutes: 14 * 60 });
    expect(localWeekdayAndMinutes(WED_1400_SHANGHAI, 'UTC')).toEqual({ weekday: 3, minutes: 6 * 60 });
  });

  it('picks the on-duty steward with the highest priority, never a manager or someone off duty', () => {
    const rota = [
      entry({ staffId: 'stf_low', priority: 10 }),
      entry({ staffId: 'stf_high', priority: 200 }),
      entry({ staffId: 'stf_off', priority: 999, onDuty: false }),
      entry({ staffId: 'mgr', priority: 1000, role: 'manager' }),
    ];
    expect(pickOnDutySteward(rota, WED_1400_SHANGHAI, TZ)?.staffId).toBe('stf_high');
  });

  it('breaks ties by staff id so a retried event picks the same steward', () => {
    const rota = [entry({ staffId: 'stf_b' }), entry({ staffId: 'stf_a' })];
    expect(pickOnDutySteward(rota, WED_1400_SHANGHAI, TZ)?.staffId).toBe('stf_a');
    expect(pickOnDutySteward([...rota].reverse(), WED_1400_SHANGHAI, TZ)?.staffId).toBe('stf_a');
  });

  it('answers undefined when nobody is on duty', () => {
    expect(pickOnDutySteward([entry({ onDuty: false })], WED_1400_SHANGHAI, TZ)).toBeUndefined();
  });

  it('honours weekday sets and time windows, including overnight ones', () => {
    const day = entry({ weekdays: [1, 2, 3, 4, 5], startsAt: '09:00', endsAt: '18:00' });
    expect(isWithinWindow(day, WED_1400_SHANGHAI, TZ)).toBe(true);
    expect(isWithinWindow({ ...day, weekdays: [6, 7] }, WED_1400_SHANGHAI, TZ)).toBe(false);
    expect(isWithinWindow({ ...day, startsAt: '15:00' }, WED_1400_SHANGHAI, TZ)).toBe(false);
    const night = entry({ weekdays: [2], startsAt: '22:00', endsAt: '06:00' });
    // Wednesday 03:00 belongs to Tuesday's night shift.
    expect(isWithinWindow(night, new Date('2026-11-24T19:00:00Z'), TZ)).toBe(true);
    expect(isWithinWindow(night, new Date('2026-11-25T19:00:00Z'), TZ)).toBe(false);
    const weekdaysOnly = entry({ weekdays: [3] });
    expect(isWithinWindow(weekdaysOnly, WED_1400_SHANGHAI, TZ)).toBe(true);
  });
});

describe('quiet hours', () => {
  // 2026-12-01 is a Tuesday; Shanghai is UTC+8.
  const shanghai = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00+08:00`);

  it('holds in a window crossing midnight, on both sides of it, in the property time zone', () => {
    const quiet = { start: '22:00', end: '07:00' };
    expect(isQuietHours(quiet, shanghai('23:30'), 'Asia/Shanghai')).toBe(true);
    expect(isQuietHours(quiet, shanghai('06:59'), 'Asia/Shanghai')).toBe(true);
    expect(isQuietHours(quiet, shanghai('07:00'), 'Asia/Shanghai')).toBe(false);
    expect(isQuietHours(quiet, shanghai('12:00'), 'Asia/Shanghai')).toBe(false);
    // 23:30 in Shanghai is 15:30 UTC: outside the same window read in London
    expect(isQuietHours(quiet, shanghai('23:30'), 'Europe/London')).toBe(false);
  });

  it('holds in a same-day window, and never without quiet hours or for an empty window', () => {
    expect(isQuietHours({ start: '12:00', end: '14:00' }, shanghai('13:00'), 'Asia/Shanghai')).toBe(true);
    expect(isQuietHours({ start: '12:00', end: '14:00' }, shanghai('14:00'), 'Asia/Shanghai')).toBe(false);
    expect(isQuietHours(null, shanghai('03:00'), 'Asia/Shanghai')).toBe(false);
    expect(isQuietHours({ start: '09:00', end: '09:00' }, shanghai('09:00'), 'Asia/Shanghai')).toBe(false);
  });
});

describe('usable resident channels', () => {
  const contact = {
    residentId: 'r',
    tenantId: 't',
    propertyId: 'p',
    language: 'zh' as const,
    phone: '13900001111',
    email: 'a@example.test',
    wecomUserId: null,
    consent: { sms: true, email: true, wecom: true },
    channelPreferences: [] as ('sms' | 'email' | 'wecom')[],
  };

  it('follows the preferences, else the consent order, and only with consent and an address', () => {
    expect(usableChannels(contact)).toEqual(['sms', 'email']);
    expect(usableChannels({ ...contact, channelPreferences: ['email', 'sms'] })).toEqual(['email', 'sms']);
    expect(usableChannels({ ...contact, consent: { sms: false, email: true, wecom: true } })).toEqual([
      'email',
    ]);
    expect(
      usableChannels({ ...contact, email: null, consent: { sms: false, email: true, wecom: false } }),
    ).toEqual([]);
  });
});
