import { backstopPurgeAt, purgeDueAt } from './vault-case';

const DAY = 86_400_000;
const T = new Date('2026-12-01T02:00:00Z');
const days = (n: number) => new Date(T.getTime() + n * DAY);

describe('purgeDueAt', () => {
  it('is the closing time plus the retention days', () => {
    expect(purgeDueAt(T, 7)).toEqual(days(7));
  });

  it('is the closing time itself with zero days', () => {
    expect(purgeDueAt(T, 0)).toEqual(T);
  });
});

describe('backstopPurgeAt', () => {
  it('is the deadline plus retention when the deadline is after the upload', () => {
    expect(backstopPurgeAt({ deadline: days(5) }, T, 7)).toEqual(days(12));
  });

  it('counts from the upload when the deadline had already passed', () => {
    expect(backstopPurgeAt({ deadline: days(-3) }, T, 7)).toEqual(days(7));
  });

  it('counts from the upload when the deadline is the upload time', () => {
    expect(backstopPurgeAt({ deadline: T }, T, 7)).toEqual(days(7));
  });

  it('is 30 days after upload plus retention without a deadline', () => {
    expect(backstopPurgeAt({ deadline: null }, T, 7)).toEqual(days(37));
  });

  it('equals the closure-based purge of a case that closes exactly at its deadline', () => {
    const deadline = days(4);
    expect(backstopPurgeAt({ deadline }, T, 7).getTime()).toBe(purgeDueAt(deadline, 7).getTime());
  });
});
