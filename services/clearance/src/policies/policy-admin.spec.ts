import { AuthError, type Principal } from '@portico/auth';
import { ZodError } from 'zod';
import {
  actorOf,
  assertMayEdit,
  changedFields,
  etagOf,
  isPolicyId,
  listedTenant,
  mayEdit,
  mayRead,
  snapshotOf,
  tenantForNewPolicy,
  toPolicyView,
  type StoredPolicy,
} from './policy-admin';
import { PlatformPolicyOperatorsOnlyError } from './policy-errors';

const person = (roles: Array<'steward' | 'manager' | 'operator'>, tenantId: string | null): Principal => ({
  kind: 'person',
  subject: `sub-${roles.join('-')}`,
  roles,
  tenantId,
  propertyIds: [],
});
const steward = person(['steward'], 'ten_a');
const manager = person(['manager'], 'ten_a');
const otherManager = person(['manager'], 'ten_b');
const operator = person(['operator'], null);
const notification: Principal = { kind: 'service', name: 'notification' };

const T = new Date('2026-11-24T06:00:00Z');
const policy = (overrides: Partial<StoredPolicy> = {}): StoredPolicy => ({
  id: 'pol_0123',
  tenantId: 'ten_a',
  carrierCode: null,
  originCountryCode: null,
  destinationCountryCode: 'CN',
  description: '',
  requirements: { id_documents_required: ['passport'], duties_unpaid: ['duty_payment_proof'] },
  defaultDeadlineHours: 24,
  expedite: { highValue: null, perishable: false, deadlineWithinHours: null },
  timers: null,
  active: true,
  version: 1,
  createdAt: T,
  updatedAt: T,
  ...overrides,
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('who may read and edit a policy', () => {
  it('lets everyone admitted read platform defaults, and a tenant read only its own', () => {
    for (const caller of [steward, manager, otherManager, operator]) expect(mayRead(caller, null)).toBe(true);
    expect(mayRead(steward, 'ten_a')).toBe(true);
    expect(mayRead(otherManager, 'ten_a')).toBe(false);
    expect(mayRead(operator, 'ten_a')).toBe(true);
  });

  it('lets managers edit their own tenant, operators everything, stewards nothing', () => {
    expect(mayEdit(manager, 'ten_a')).toBe(true);
    expect(mayEdit(manager, 'ten_b')).toBe(false);
    expect(mayEdit(manager, null)).toBe(false);
    expect(mayEdit(operator, null)).toBe(true);
    expect(mayEdit(operator, 'ten_b')).toBe(true);
    expect(mayEdit(steward, 'ten_a')).toBe(false);
    expect(mayEdit(notification, 'ten_a')).toBe(false);
  });

  it('explains a refusal precisely', () => {
    expect(thrown(() => assertMayEdit(manager, null))).toBeInstanceOf(PlatformPolicyOperatorsOnlyError);
    expect((thrown(() => assertMayEdit(manager, 'ten_b')) as AuthError).code).toBe('tenant_mismatch');
    expect((thrown(() => assertMayEdit(steward, 'ten_a')) as AuthError).code).toBe('forbidden');
    expect(() => assertMayEdit(operator, null)).not.toThrow();
  });
});

describe('tenantForNewPolicy', () => {
  it('gives a manager their own tenant, named or not', () => {
    expect(tenantForNewPolicy(manager, undefined)).toBe('ten_a');
    expect(tenantForNewPolicy(manager, 'ten_a')).toBe('ten_a');
  });

  it('refuses a manager another tenant or a platform default', () => {
    expect((thrown(() => tenantForNewPolicy(manager, 'ten_b')) as AuthError).code).toBe('tenant_mismatch');
    expect(thrown(() => tenantForNewPolicy(manager, null))).toBeInstanceOf(PlatformPolicyOperatorsOnlyError);
    expect((thrown(() => tenantForNewPolicy(person(['manager'], null), undefined)) as AuthError).code).toBe(
      'missing_tenant',
    );
  });

  it('makes an operator say which tenant (null: a platform default)', () => {
    expect(tenantForNewPolicy(operator, 'ten_b')).toBe('ten_b');
    expect(tenantForNewPolicy(operator, null)).toBeNull();
    const e = thrown(() => tenantForNewPolicy(operator, undefined));
    expect(e).toBeInstanceOf(ZodError);
    expect((e as ZodError).issues.map((i) => i.path.join('.'))).toEqual(['tenantId']);
  });
});

describe('listedTenant', () => {
  it('lists a tenant-bound caller’s own tenant, refusing another', () => {
    expect(listedTenant(steward, undefined)).toEqual({ tenantId: 'ten_a' });
    expect(listedTenant(manager, 'ten_a')).toEqual({ tenantId: 'ten_a' });
    expect((thrown(() => listedTenant(steward, 'ten_b')) as AuthError).code).toBe('tenant_mismatch');
  });

  it('lists everything for an operator unless a tenant is named', () => {
    expect(listedTenant(operator, undefined)).toEqual({ tenantId: null });
    expect(listedTenant(operator, 'ten_b')).toEqual({ tenantId: 'ten_b' });
  });
});

describe('changedFields', () => {
  const before = snapshotOf(policy());

  it('names every audited field for a creation', () => {
    expect(changedFields(null, before)).toEqual([
      'carrierCode',
      'originCountryCode',
      'destinationCountryCode',
      'description',
      'requirements',
      'defaultDeadlineHours',
      'expedite',
      'timers',
      'active',
    ]);
  });

  it('names only what changed, ignoring key order and the version bump', () => {
    const reordered = snapshotOf(
      policy({
        requirements: { duties_unpaid: ['duty_payment_proof'], id_documents_required: ['passport'] },
        version: 2,
      }),
    );
    expect(changedFields(before, reordered)).toEqual([]);
    const edited = snapshotOf(
      policy({ defaultDeadlineHours: 48, requirements: { id_documents_required: ['resident_id_card'] } }),
    );
    expect(changedFields(before, edited)).toEqual(['requirements', 'defaultDeadlineHours']);
    expect(changedFields(before, snapshotOf(policy({ active: false })))).toEqual(['active']);
  });
});

describe('views and small helpers', () => {
  it('marks platform defaults as inherited and says whether the caller may edit', () => {
    const platform = toPolicyView(policy({ id: 'pol_default_cn', tenantId: null }), manager);
    expect(platform).toMatchObject({ inherited: true, editable: false, tenantId: null });
    expect(toPolicyView(policy(), manager)).toMatchObject({ inherited: false, editable: true });
    expect(toPolicyView(policy(), steward).editable).toBe(false);
    expect(toPolicyView(policy({ active: false }), manager).editable).toBe(false);
    expect(toPolicyView(policy(), manager).createdAt).toBe(T.toISOString());
  });

  it('records actors by opaque id', () => {
    expect(actorOf(manager)).toEqual({ kind: 'person', id: 'sub-manager', roles: ['manager'] });
    expect(actorOf(notification)).toEqual({ kind: 'service', id: 'notification', roles: [] });
  });

  it('recognises policy ids and formats ETags', () => {
    expect(isPolicyId('pol_default_cn')).toBe(true);
    expect(isPolicyId(`pol_${'a'.repeat(32)}`)).toBe(true);
    expect(isPolicyId('cc_123')).toBe(false);
    expect(isPolicyId("pol_x' OR 1=1")).toBe(false);
    expect(etagOf(3)).toBe('"3"');
  });
});
