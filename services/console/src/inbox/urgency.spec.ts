import { sortByUrgency, type UrgencyFacts } from './urgency';

const task = (id: string, deadline: string | null, expedited: boolean, createdAt: string): UrgencyFacts => ({
  id,
  deadline,
  expedited,
  createdAt,
});

describe('sortByUrgency', () => {
  it('puts the nearest deadline first and tasks without a deadline last', () => {
    const sorted = sortByUrgency([
      task('none', null, true, '2026-12-01T00:00:00Z'),
      task('later', '2026-12-05T00:00:00Z', false, '2026-12-01T00:00:00Z'),
      task('sooner', '2026-12-03T00:00:00Z', false, '2026-12-02T00:00:00Z'),
    ]);
    expect(sorted.map((t) => t.id)).toEqual(['sooner', 'later', 'none']);
  });

  it('puts expedited before normal at the same deadline, then the oldest first', () => {
    const d = '2026-12-03T00:00:00Z';
    const sorted = sortByUrgency([
      task('normal-old', d, false, '2026-12-01T00:00:00Z'),
      task('expedited-new', d, true, '2026-12-02T10:00:00Z'),
      task('expedited-old', d, true, '2026-12-02T09:00:00Z'),
    ]);
    expect(sorted.map((t) => t.id)).toEqual(['expedited-old', 'expedited-new', 'normal-old']);
  });

  it('is stable by id for equal facts and does not change its input', () => {
    const input = [task('b', null, false, '2026-12-01T00:00:00Z'), task('a', null, false, '2026-12-01T00:00:00Z')];
    expect(sortByUrgency(input).map((t) => t.id)).toEqual(['a', 'b']);
    expect(input.map((t) => t.id)).toEqual(['b', 'a']);
  });
});
