import { AuthError, assertTenantAccess, type Principal } from '@portico/auth';

/**
 * Who may see a case's documents: the tenant's people with the case's property — the property as
 * the vault knows it NOW (from clearance.case.v1), not as it was at upload, since a parcel's
 * property is often resolved after the documents arrive. While the property is unknown, only
 * managers and operators may look: a steward's access is per property, and "no property" must not
 * mean "every property".
 */
export function assertDocumentAccess(
  caller: Principal,
  target: { readonly tenantId: string; readonly propertyId: string | null },
): void {
  if (target.propertyId === null && caller.kind === 'person') {
    const broad = caller.roles.includes('manager') || caller.roles.includes('operator');
    if (!broad) throw new AuthError('forbidden');
  }
  assertTenantAccess(caller, { tenantId: target.tenantId, propertyId: target.propertyId ?? undefined });
}
