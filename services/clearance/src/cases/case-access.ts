import type { TenantTarget } from '@portico/auth';
import type { ClearanceCase } from './case';

/**
 * What a caller must be allowed to see to see a case: its tenant and, once notification resolved
 * the recipient, its property (a steward sees only the properties in their token). A case whose
 * property is not known yet is tenant-wide, so the tenant's front desk can still find it.
 */
export function caseAccessTarget(c: Pick<ClearanceCase, 'tenantId' | 'propertyId'>): TenantTarget {
  return c.propertyId ? { tenantId: c.tenantId, propertyId: c.propertyId } : { tenantId: c.tenantId };
}
