import type { PersonPrincipal } from '@portico/auth';
import { mayHandle, queueQuerySchema, scopedQueueFilter } from './front-desk-access';

const person = (
  roles: PersonPrincipal['roles'],
  tenantId: string | null,
  propertyIds: string[] = [],
): PersonPrincipal => ({
  kind: 'person',
  subject: 'u1',
  roles,
  tenantId,
  propertyIds,
});

describe('front-desk access', () => {
  const q = (query: Record<string, string> = {}) => queueQuerySchema.parse(query);

  it("narrows stewards to their tenant's properties plus its unassigned entries; operators see all", () => {
    expect(scopedQueueFilter(person(['steward'], 'ten_1', ['p1']), q())).toEqual({
      state: 'open',
      limit: 50,
      tenantId: 'ten_1',
      propertyIds: ['p1'],
      includeUnassigned: true,
    });
    expect(scopedQueueFilter(person(['operator'], null), q({ tenantId: 'ten_2' }))).toMatchObject({
      tenantId: 'ten_2',
      propertyIds: undefined,
    });
  });

  it('refuses another tenant or property with tenant_mismatch', () => {
    expect(() => scopedQueueFilter(person(['manager'], 'ten_1', ['p1']), q({ tenantId: 'ten_2' }))).toThrow(
      expect.objectContaining({ code: 'tenant_mismatch' }),
    );
    expect(() => scopedQueueFilter(person(['manager'], 'ten_1', ['p1']), q({ propertyId: 'p2' }))).toThrow(
      expect.objectContaining({ code: 'tenant_mismatch' }),
    );
  });

  it('lets a steward handle only their tenant and properties (null property: any of the tenant)', () => {
    const steward = person(['steward'], 'ten_1', ['p1']);
    expect(mayHandle(steward, { tenantId: 'ten_1', propertyId: 'p1' })).toBe(true);
    expect(mayHandle(steward, { tenantId: 'ten_1', propertyId: null })).toBe(true);
    expect(mayHandle(steward, { tenantId: 'ten_1', propertyId: 'p2' })).toBe(false);
    expect(mayHandle(steward, { tenantId: 'ten_2', propertyId: null })).toBe(false);
    expect(mayHandle(person(['operator'], null), { tenantId: 'ten_2', propertyId: 'p9' })).toBe(true);
  });
});
