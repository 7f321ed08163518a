import { AuthError } from './auth-error';
import type { Principal } from './principal';
import { assertTenantAccess, canAccessTenant } from './tenancy';

const steward: Principal = {
  kind: 'person',
  subject: 's',
  roles: ['steward'],
  tenantId: 't1',
  propertyIds: ['p1'],
};
const operator: Principal = {
  kind: 'person',
  subject: 'o',
  roles: ['operator'],
  tenantId: null,
  propertyIds: [],
};
const pms: Principal = { kind: 'property-system', tenantId: 't1', keyId: 'k', scopes: [] };

describe('tenant access', () => {
  it.each([
    [steward, { tenantId: 't1' }, true],
    [steward, { tenantId: 't1', propertyId: 'p1' }, true],
    [steward, { tenantId: 't1', propertyId: 'p2' }, false],
    [steward, { tenantId: 't2' }, false],
    [operator, { tenantId: 't2', propertyId: 'p9' }, true],
    [pms, { tenantId: 't1', propertyId: 'p9' }, true],
    [pms, { tenantId: 't2' }, false],
    [{ kind: 'service', name: 'notification' } as Principal, { tenantId: 't2' }, true],
  ] as const)('%j on %j -> %s', (principal, target, expected) => {
    expect(canAccessTenant(principal, target)).toBe(expected);
  });

  it('throws a 403 tenant_mismatch', () => {
    expect(() => assertTenantAccess(steward, { tenantId: 't2' })).toThrow(AuthError);
    try {
      assertTenantAccess(steward, { tenantId: 't2' });
    } catch (e) {
      expect((e as AuthError).getStatus()).toBe(403);
      expect((e as AuthError).code).toBe('tenant_mismatch');
    }
  });
});
