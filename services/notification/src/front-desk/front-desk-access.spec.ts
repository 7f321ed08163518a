import type { PersonPrincipal } from '@portico/auth';
import {
  dismissBodySchema,
  entryClosedError,
  mayHandle,
  queueQuerySchema,
  scopedQueueFilter,
} from './front-desk-access';

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

  it('accepts the four dismiss reasons only, and a note up to 500 characters (blank: none)', () => {
    for (const reason of ['not_our_resident', 'returned_to_sender', 'duplicate', 'other']) {
      expect(dismissBodySchema.parse({ reason })).toEqual({ reason, note: null });
    }
    expect(dismissBodySchema.parse({ reason: 'other', note: '  ' })).toEqual({ reason: 'other', note: null });
    expect(dismissBodySchema.parse({ reason: 'other', note: ` ${'x'.repeat(500)} ` }).note).toHaveLength(500);
    const rejected = (body: unknown) =>
      dismissBodySchema.safeParse(body).error?.issues.map((i) => i.path.join('.'));
    expect(rejected({ reason: 'returned' })).toEqual(['reason']);
    expect(rejected({})).toEqual(['reason']);
    expect(rejected({ reason: 'other', note: 'x'.repeat(501) })).toEqual(['note']);
    expect(rejected({ reason: 'other', note: 5 })).toEqual(['note']);
  });

  it('lets only open entries be acted on: dismissed and linked ones answer distinct 409 codes', () => {
    expect(entryClosedError('open')).toBeNull();
    const dismissed = entryClosedError('dismissed')!;
    expect(dismissed).toMatchObject({
      status: 409,
      code: 'front_desk_entry_dismissed',
      details: { state: 'dismissed' },
    });
    const linked = entryClosedError('linked')!;
    expect(linked).toMatchObject({
      status: 409,
      code: 'front_desk_entry_closed',
      details: { state: 'linked' },
    });
    for (const e of [dismissed, linked]) {
      expect(e.localized.en).toEqual(expect.any(String));
      expect(e.localized.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
