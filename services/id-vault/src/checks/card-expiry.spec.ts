import { isCardExpired, parseCardExpiry } from './card-expiry';

const until = (year: number, month: number, day: number) => ({ kind: 'until', date: { year, month, day } });

describe('card expiry', () => {
  it.each([
    ['2035-03-01', until(2035, 3, 1)],
    ['2035.03.01', until(2035, 3, 1)],
    ['2035/03/01', until(2035, 3, 1)],
    ['20350301', until(2035, 3, 1)],
    [' ２０３５．０３．０１ ', until(2035, 3, 1)], // full-width, as typed with a Chinese IME
    ['2015.03.01-2035.03.01', until(2035, 3, 1)], // the whole printed range
    ['2015-03-01 - 2035-03-01', until(2035, 3, 1)],
    ['2015.03.01至2035.03.01', until(2035, 3, 1)],
    ['长期', { kind: 'long_term' }],
    ['长期有效', { kind: 'long_term' }],
    ['Long-Term', { kind: 'long_term' }],
    ['2008.05.01-长期', { kind: 'long_term' }],
  ])('parses %j', (text, expected) => {
    expect(parseCardExpiry(text)).toEqual(expected);
  });

  it.each([
    '',
    'soon',
    '2035-13-01',
    '2035-02-30',
    '2035-03.01',
    '35.03.01',
    '2035-3-1',
    '2035.03.01-',
    'x-2035.03.01',
  ])('refuses %j', (text) => {
    expect(parseCardExpiry(text)).toBeUndefined();
  });

  it('treats the end date as the last valid day, on the Shanghai calendar', () => {
    const validity = parseCardExpiry('2035.03.01')!;
    expect(isCardExpired(validity, new Date('2035-02-28T23:00:00Z'))).toBe(false);
    // 23:59:59 on 1 March in Shanghai: still valid that day.
    expect(isCardExpired(validity, new Date('2035-03-01T15:59:59Z'))).toBe(false);
    // Midnight into 2 March in Shanghai (16:00 UTC on 1 March): expired, although UTC still says 1 March.
    expect(isCardExpired(validity, new Date('2035-03-01T16:00:00Z'))).toBe(true);
    expect(isCardExpired(validity, new Date('2040-01-01T00:00:00Z'))).toBe(true);
  });

  it('never expires a long-term card', () => {
    expect(isCardExpired({ kind: 'long_term' }, new Date('2099-12-31T00:00:00Z'))).toBe(false);
  });
});
