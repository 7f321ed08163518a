import { entityOf, parseDirectoryChanges, planChanges } from './directory-changes.schema';

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 8, 0, s)).toISOString();

describe('roster changes', () => {
  const batch = parseDirectoryChanges({
    tenantId: 'ten_1',
    changes: [
      { changeId: 'c3', occurredAt: at(30), type: 'resident.remove', residentId: 'res_1' },
      {
        changeId: 'c1',
        occurredAt: at(10),
        type: 'resident.upsert',
        unitId: 'u1',
        resident: { id: 'res_1', name: 'A' },
      },
      { changeId: 'c2', occurredAt: '2026-12-01T16:00:20+08:00', type: 'staff.remove', staffId: 's1' },
      {
        changeId: 'c1',
        occurredAt: at(10),
        type: 'resident.upsert',
        unitId: 'u1',
        resident: { id: 'res_1', name: 'A' },
      },
      { changeId: 'c4', occurredAt: at(10), type: 'duty.set', staffId: 's1', propertyId: 'p1', onDuty: true },
    ],
  });

  it('applies in occurredAt order (offsets honoured), stable for equal times, later copies of a changeId marked', () => {
    const plan = planChanges(batch.changes);
    expect(plan.map((p) => [p.change.changeId, p.index, p.repeatInBatch])).toEqual([
      ['c1', 1, false],
      ['c1', 3, true],
      ['c4', 4, false],
      ['c2', 2, false],
      ['c3', 0, false],
    ]);
  });

  it('names the entity each change writes', () => {
    expect(batch.changes.map(entityOf)).toEqual([
      { kind: 'resident', id: 'res_1' },
      { kind: 'resident', id: 'res_1' },
      { kind: 'staff', id: 's1' },
      { kind: 'resident', id: 'res_1' },
      { kind: 'duty', id: 'p1/s1' },
    ]);
  });

  it('refuses unknown types, missing offsets and empty batches with paths', () => {
    const paths = (body: unknown) => {
      try {
        parseDirectoryChanges(body);
      } catch (e) {
        return (e as { issues: { path: PropertyKey[] }[] }).issues.map((i) => i.path.join('.'));
      }
      throw new Error('expected a rejection');
    };
    expect(
      paths({
        tenantId: 'ten_1',
        changes: [
          { changeId: 'c1', occurredAt: '2026-12-01T08:00:00', type: 'resident.remove', residentId: 'r' },
          { changeId: 'c2', occurredAt: at(1), type: 'resident.explode' },
        ],
      }),
    ).toEqual(expect.arrayContaining(['changes.0.occurredAt', 'changes.1.type']));
    expect(paths({ tenantId: 'ten_1', changes: [] })).toEqual(['changes']);
  });
});
