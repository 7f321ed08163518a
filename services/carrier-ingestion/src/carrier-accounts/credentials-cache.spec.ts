import { CredentialsCache } from './credentials-cache';

describe('CredentialsCache', () => {
  let now = 0;
  const cache = () => new CredentialsCache<string>(5_000, 2, () => now);

  beforeEach(() => (now = 1_000_000));

  it('answers a value until its time is up, then forgets it', () => {
    const c = cache();
    c.set('ca_1', 'v1');
    now += 4_999;
    expect(c.get('ca_1')).toBe('v1');
    now += 1;
    expect(c.get('ca_1')).toBeUndefined();
  });

  it('forgets an entry at once when told (a local rotation or disable)', () => {
    const c = cache();
    c.set('ca_1', 'v1');
    c.delete('ca_1');
    expect(c.get('ca_1')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const c = cache();
    c.set('a', '1');
    c.set('b', '2');
    c.set('c', '3');
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, '2', '3']);
  });

  it('keeps nothing with a zero time to live', () => {
    const c = new CredentialsCache<string>(0, 10, () => now);
    c.set('a', '1');
    expect(c.get('a')).toBeUndefined();
  });
});
