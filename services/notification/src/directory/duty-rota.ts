import type { RotaEntry } from './directory.types';

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** ISO weekday and minutes after midnight of `at` in `timeZone`. */
export function localWeekdayAndMinutes(at: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday: WEEKDAYS[part('weekday')] ?? 1,
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

/** Minutes after local midnight of an `HH:MM` time. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether `minutes` after local midnight fall in [start, end); windows may cross midnight. */
function inDailyWindow(minutes: number, startsAt: string, endsAt: string): boolean {
  const start = minutesOf(startsAt);
  const end = minutesOf(endsAt);
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/**
 * Whether `at` falls in the property's quiet hours (local time of its time zone; 22:00-07:00
 * crosses midnight; equal start and end is an empty window). No quiet hours: never.
 */
export function isQuietHours(
  quietHours: { start: string; end: string } | null,
  at: Date,
  timeZone: string,
): boolean {
  if (!quietHours) return false;
  return inDailyWindow(localWeekdayAndMinutes(at, timeZone).minutes, quietHours.start, quietHours.end);
}

/** Whether the entry's window (if it has one) contains `at`; windows may cross midnight (22:00-06:00). */
export function isWithinWindow(entry: RotaEntry, at: Date, timeZone: string): boolean {
  if (entry.weekdays === null && entry.startsAt === null) return true;
  const { weekday, minutes } = localWeekdayAndMinutes(at, timeZone);
  if (entry.startsAt === null || entry.endsAt === null) {
    return entry.weekdays === null || entry.weekdays.includes(weekday);
  }
  const start = minutesOf(entry.startsAt);
  const end = minutesOf(entry.endsAt);
  if (start <= end) {
    return minutes >= start && minutes < end && (entry.weekdays === null || entry.weekdays.includes(weekday));
  }
  // Overnight: the part after midnight belongs to the shift that started the day before.
  if (minutes >= start) return entry.weekdays === null || entry.weekdays.includes(weekday);
  if (minutes < end) {
    const previous = weekday === 1 ? 7 : weekday - 1;
    return entry.weekdays === null || entry.weekdays.includes(previous);
  }
  return false;
}

/**
 * The steward who gets a new task: on duty, inside their window, highest priority first, and the
 * smallest staff id among equals so the choice is the same on every retry of the same event.
 */
export function pickOnDutySteward(
  rota: readonly RotaEntry[],
  at: Date,
  timeZone: string,
): RotaEntry | undefined {
  return rota
    .filter((e) => e.role === 'steward' && e.onDuty && isWithinWindow(e, at, timeZone))
    .sort(
      (a, b) => b.priority - a.priority || (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0),
    )[0];
}
