import { AuthError, type Principal } from '@portico/auth';
import type { TaskSearchRow } from './outreach.repository';
import { scopedTaskSearch, taskSearchBody, toSearchHit, toStewardOptions } from './task-search';

const person = (
  roles: ('operator' | 'manager' | 'steward')[],
  tenantId: string | null,
  propertyIds: string[] = [],
): Principal => ({
  kind: 'person',
  subject: 'u1',
  roles,
  tenantId,
  propertyIds,
});

const row: TaskSearchRow = {
  id: 'ot_1',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'case_1',
  round: 1,
  parcelId: 'prc_0123456789abcdef0123456789abcdef',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  kind: 'documents_requested',
  stewardId: 'stf_1',
  residentId: 'res_1',
  state: 'open',
  ackDueAt: new Date('2026-11-25T08:00:00Z'),
  deadline: null,
  expedited: false,
  script: { templateRef: 'documents-requested@1', language: 'zh', zh: '您好', en: 'Hello' },
  createdAt: new Date('2026-11-25T06:00:00Z'),
  acknowledgedAt: null,
  closedAt: null,
  closeResolution: null,
  escalationLevel: 'steward',
  assigneeId: 'stf_1',
  stewardName: 'Steward One',
  residentName: '李伟',
  unitLabel: '12-03',
  matched: ['unit'],
};

const body = (over: Record<string, unknown> = {}) => taskSearchBody.parse({ text: ' SF 1234 ', ...over });

describe('task search', () => {
  it('compares in the normalised form and needs 2 letters or digits', () => {
    expect(scopedTaskSearch(person(['steward'], 'ten_1', ['prop_a']), body()).needle).toBe('sf1234');
    expect(taskSearchBody.safeParse({ text: '- -' }).success).toBe(false);
    expect(taskSearchBody.safeParse({ text: 'x'.repeat(101) }).success).toBe(false);
    expect(taskSearchBody.safeParse({ text: 'SF12', unit: '1' }).success).toBe(false);
  });

  it('a steward searches their own properties, names and units included', () => {
    expect(
      scopedTaskSearch(person(['steward'], 'ten_1', ['prop_a', 'prop_b']), body({ stewardId: 'stf_1' })),
    ).toEqual({
      tenantId: 'ten_1',
      propertyIds: ['prop_a', 'prop_b'],
      needle: 'sf1234',
      namesIn: ['prop_a', 'prop_b'],
      stewardId: 'stf_1',
      state: undefined,
      limit: 100,
    });
  });

  it('refuses another property (403 tenant_mismatch) and lets operators match tracking numbers only', () => {
    expect(() =>
      scopedTaskSearch(person(['steward'], 'ten_1', ['prop_a']), body({ propertyId: 'prop_b' })),
    ).toThrow(AuthError);
    expect(scopedTaskSearch(person(['operator'], null), body())).toMatchObject({
      tenantId: undefined,
      propertyIds: undefined,
      namesIn: [],
    });
  });

  it('shows the unit and names to the property’s own steward only', () => {
    expect(toSearchHit(person(['steward'], 'ten_1', ['prop_a']), row)).toMatchObject({
      matched: ['unit'],
      unitLabel: '12-03',
      residentName: '李伟',
    });
    const op = toSearchHit(person(['operator'], null), row);
    expect(op).not.toHaveProperty('unitLabel');
    expect(op).not.toHaveProperty('residentName');
  });

  it("names the stewards in the caller's properties, ids only for operators", () => {
    const stewards = [{ id: 'stf_1', name: 'Steward One', propertyIds: ['prop_a'] }];
    expect(toStewardOptions(person(['steward'], 'ten_1', ['prop_a']), 'ten_1', stewards)).toEqual([
      { id: 'stf_1', name: 'Steward One' },
    ]);
    expect(toStewardOptions(person(['operator'], null), undefined, stewards)).toEqual([
      { id: 'stf_1', name: null },
    ]);
  });
});
