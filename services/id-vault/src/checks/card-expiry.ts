import { compareDates, isRealDate, shanghaiDate, type CalendarDate } from './calendar-date';

/**
 * The validity end date the resident typed from the card (the back of a resident ID card reads
 * e.g. "2015.03.01-2035.03.01", or "长期" for cards issued to people over 46, which do not expire).
 *
 * A card is valid through its end date: "有效期限 ... 2035.03.01" means it can still be used on
 * 1 March 2035, and expires when that day is over in China (Asia/Shanghai). So it is expired only
 * when the reference instant falls on a later Shanghai date.
 *
 * The reference is passed in, never read from a clock here: the caller decides whether the card must
 * be valid now or still at the case deadline (customs clears after upload).
 */
export type CardValidity =
  { readonly kind: 'long_term' } | { readonly kind: 'until'; readonly date: CalendarDate };

const LONG_TERM = new Set(['长期', '长期有效', 'long-term', 'longterm', 'long term', 'permanent']);
const RANGE_SEPARATOR = /[-–—~～至到]/gu;

/**
 * Accepts "YYYY-MM-DD", "YYYY.MM.DD", "YYYY/MM/DD", "YYYYMMDD", 长期 / long-term, and the whole
 * printed range ("2015.03.01-2035.03.01", "2015.03.01-长期"), of which the end counts. Undefined
 * when the text is none of these or names a day that does not exist.
 */
export function parseCardExpiry(input: string): CardValidity | undefined {
  const text = input.normalize('NFKC').trim().toLowerCase();
  const single = parseEnd(text);
  if (single) return single;
  for (const separator of text.matchAll(RANGE_SEPARATOR)) {
    const start = parseDate(text.slice(0, separator.index).trim());
    const end = parseEnd(text.slice(separator.index + separator[0].length).trim());
    if (start && end) return end;
  }
  return undefined;
}

export function isCardExpired(validity: CardValidity, reference: Date): boolean {
  if (validity.kind === 'long_term') return false;
  return compareDates(shanghaiDate(reference), validity.date) > 0;
}

function parseEnd(text: string): CardValidity | undefined {
  if (LONG_TERM.has(text)) return { kind: 'long_term' };
  const date = parseDate(text);
  return date && { kind: 'until', date };
}

function parseDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})([-./]?)(\d{2})\2(\d{2})$/u.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[3]), Number(match[4])];
  return isRealDate(year, month, day) ? { year, month, day } : undefined;
}
