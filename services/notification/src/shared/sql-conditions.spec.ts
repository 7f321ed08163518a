import { SqlConditions } from './sql-conditions';

describe('SqlConditions', () => {
  it('numbers the given filters after the parameters already bound, skipping the absent ones', () => {
    const q = new SqlConditions('needle')
      .optional('a = ?', 'x')
      .optional('b = ?', undefined)
      .add('c = ANY(?::text[])', ['p']);
    expect(q.bind(10)).toBe('$4');
    expect(q.where).toBe('WHERE a = $2 AND c = ANY($3::text[])');
    expect(q.params).toEqual(['needle', 'x', ['p'], 10]);
  });

  it('is no WHERE at all without a filter', () => {
    expect(new SqlConditions().optional('a = ?', undefined).where).toBe('');
  });
});
