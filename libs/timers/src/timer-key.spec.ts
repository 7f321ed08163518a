import { assertValidSchedule, keyPrefix, likePrefixPattern } from './timer-key';

describe('keyPrefix', () => {
  it('is the part before the first colon', () => {
    expect(keyPrefix('clearance-sla:prc_123:2')).toBe('clearance-sla');
  });

  it('shows nothing of a key without a prefix', () => {
    expect(keyPrefix('prc_123')).toBe('(none)');
    expect(keyPrefix(':prc_123')).toBe('(none)');
  });

  it('is bounded in length', () => {
    expect(keyPrefix(`${'a'.repeat(200)}:x`)).toHaveLength(64);
  });
});

describe('likePrefixPattern', () => {
  it('matches the prefix literally', () => {
    expect(likePrefixPattern('a_b%c\\d:')).toBe('a\\_b\\%c\\\\d:%');
  });
});

describe('assertValidSchedule', () => {
  const ok = { key: 'k:1', kind: 'reminder', dueAt: new Date(0) };
  it('accepts a complete timer', () => {
    expect(() => assertValidSchedule(ok)).not.toThrow();
  });
  it('rejects empty keys and kinds and invalid dates', () => {
    expect(() => assertValidSchedule({ ...ok, key: '' })).toThrow(/key/);
    expect(() => assertValidSchedule({ ...ok, kind: '' })).toThrow(/kind/);
    expect(() => assertValidSchedule({ ...ok, dueAt: new Date('nope') })).toThrow(/dueAt/);
  });
});
