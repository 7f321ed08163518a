/**
 * Dates printed on Chinese documents are calendar dates in China's civil time. China has used UTC+8
 * all year since 1991 (no DST), so "which date is it in Asia/Shanghai at this instant" is a fixed
 * offset and needs no time-zone database; the dates compared against it (birth dates since 1900,
 * card expiry dates) are not affected by the 1986-1991 DST period at day granularity.
 */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

export function shanghaiDate(instant: Date): CalendarDate {
  const shifted = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Whether year-month-day names a day of the proleptic Gregorian calendar (29 Feb only in leap years). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** Negative when a is before b, 0 on the same day, positive after. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}
