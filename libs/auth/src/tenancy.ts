import { AuthError } from './auth-error';
import type { Principal } from './principal';

export interface TenantTarget {
  readonly tenantId: string;
  readonly propertyId?: string;
}

/**
 * Whether a caller may touch data of a tenant (and property). The guard checks who may call an
 * endpoint; this checks the data the call is about, which only the handler or service knows.
 * - services: trusted internal callers, always;
 * - operators: platform staff, every tenant;
 * - managers and stewards: their own tenant, and only properties listed in their token;
 * - property systems: their own tenant (keys are tenant-wide).
 */
export function canAccessTenant(principal: Principal, target: TenantTarget): boolean {
  switch (principal.kind) {
    case 'service':
      return true;
    case 'property-system':
      return principal.tenantId === target.tenantId;
    case 'person':
      if (principal.roles.includes('operator')) return true;
      if (principal.tenantId !== target.tenantId) return false;
      return target.propertyId === undefined || principal.propertyIds.includes(target.propertyId);
  }
}

export function assertTenantAccess(principal: Principal, target: TenantTarget): void {
  if (!canAccessTenant(principal, target)) throw new AuthError('tenant_mismatch');
}
