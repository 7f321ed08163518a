import { AuthError, type Principal } from '@portico/auth';
import type { TaskListRow } from './outreach.repository';
import { scopedTaskFilter, taskQuerySchema, toTaskView, visibleTo } from './task-access';
import { NAME_SLOT } from './templates';

const PARCEL = 'prc_0123456789abcdef0123456789abcdef';

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

const row: TaskListRow = {
  id: 'ot_1',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: 'case_1',
  round: 1,
  parcelId: PARCEL,
  carrierCode: 'sf-express',
  trackingNumber: 'SF1',
  kind: 'documents_requested',
  stewardId: 'stf_1',
  residentId: 'res_1',
  state: 'open',
  ackDueAt: new Date('2026-11-25T08:00:00Z'),
  deadline: new Date('2026-11-28T06:00:00Z'),
  expedited: false,
  script: {
    templateRef: 'documents-requested@1',
    language: 'zh',
    zh: `${NAME_SLOT}您好！…`,
    en: `Hello${NAME_SLOT}, …`,
  },
  createdAt: new Date('2026-11-25T06:00:00Z'),
  acknowledgedAt: null,
  closedAt: null,
  closeResolution: null,
  escalationLevel: 'steward',
  assigneeId: 'stf_1',
  stewardName: 'Steward One',
  residentName: '李伟',
};

describe('task read access', () => {
  it('needs at least one narrowing filter and a well-formed parcel id', () => {
    expect(taskQuerySchema.safeParse({}).success).toBe(false);
    expect(taskQuerySchema.safeParse({ parcelId: 'SF123' }).success).toBe(false);
    expect(taskQuerySchema.parse({ parcelId: PARCEL, limit: '10' })).toMatchObject({
      parcelId: PARCEL,
      limit: 10,
    });
    expect(taskQuerySchema.parse({ state: 'open' }).limit).toBe(50);
  });

  it('lets operators see any tenant and narrows stewards to their own properties', () => {
    const q = taskQuerySchema.parse({ parcelId: PARCEL });
    expect(scopedTaskFilter(person(['operator'], null), q)).toMatchObject({
      parcelId: PARCEL,
      tenantId: undefined,
      propertyIds: undefined,
    });
    expect(scopedTaskFilter(person(['steward'], 'ten_1', ['prop_a', 'prop_b']), q)).toMatchObject({
      tenantId: 'ten_1',
      propertyIds: ['prop_a', 'prop_b'],
    });
  });

  it("refuses a steward asking for another tenant's or property's tasks", () => {
    const steward = person(['steward'], 'ten_1', ['prop_a']);
    expect(() =>
      scopedTaskFilter(steward, taskQuerySchema.parse({ state: 'open', tenantId: 'ten_2' })),
    ).toThrow(AuthError);
    expect(() => scopedTaskFilter(steward, taskQuerySchema.parse({ propertyId: 'prop_b' }))).toThrow(
      AuthError,
    );
    expect(scopedTaskFilter(steward, taskQuerySchema.parse({ propertyId: 'prop_a' })).propertyIds).toEqual([
      'prop_a',
    ]);
    expect(() =>
      scopedTaskFilter(person(['manager'], null), taskQuerySchema.parse({ state: 'open' })),
    ).toThrow(AuthError);
  });

  it("shows names only to the property's own stewards and managers", () => {
    const own = toTaskView(person(['steward'], 'ten_1', ['prop_a']), row);
    expect(own).toMatchObject({ stewardName: 'Steward One', residentName: '李伟' });
    expect(own.script.text.startsWith('李伟您好！')).toBe(true);
    expect(own.script.en.startsWith('Hello 李伟,')).toBe(true);

    for (const caller of [person(['operator'], null), person(['steward'], 'ten_1', ['prop_b'])]) {
      const view = toTaskView(caller, row);
      expect(view.residentName).toBeUndefined();
      expect(view.stewardName).toBeUndefined();
      expect(JSON.stringify(view)).not.toContain('李伟');
      expect(view.script.text.startsWith('您好！')).toBe(true);
    }
  });

  it('drops rows outside the caller’s tenant or properties', () => {
    expect(visibleTo(person(['steward'], 'ten_1', ['prop_a']), row)).toBe(true);
    expect(visibleTo(person(['steward'], 'ten_1', ['prop_b']), row)).toBe(false);
    expect(visibleTo(person(['manager'], 'ten_2', ['prop_a']), row)).toBe(false);
    expect(visibleTo(person(['operator'], null), row)).toBe(true);
  });
});
