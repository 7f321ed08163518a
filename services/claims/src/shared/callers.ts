import { AuthError, canAccessTenant, type Principal } from '@portico/auth';
import { tenantRequired } from '../claims/claim-errors';

/** Who did it, as kept in history and the communication log: an id, never a name. */
export function actorIdOf(p: Principal): string {
  switch (p.kind) {
    case 'person':
      return p.subject;
    case 'property-system':
      return `key:${p.keyId}`;
    case 'service':
      return `svc:${p.name}`;
  }
}

/**
 * The tenant a call is about: a manager's or steward's own (naming another is refused), a
 * property system's key's, and for operators and services the one they name.
 */
export function tenantOf(p: Principal, requested: string | undefined): string {
  if (p.kind === 'property-system') {
    if (requested && requested !== p.tenantId) throw new AuthError('tenant_mismatch');
    return p.tenantId;
  }
  if (p.kind === 'person' && !p.roles.includes('operator')) {
    if (!p.tenantId || (requested && requested !== p.tenantId)) throw new AuthError('tenant_mismatch');
    return p.tenantId;
  }
  if (!requested) throw tenantRequired();
  return requested;
}

/** Whether the caller may see a claim or parcel of this tenant and property. */
export function mayAccess(p: Principal, tenantId: string, propertyId: string | null): boolean {
  return canAccessTenant(p, { tenantId, ...(propertyId ? { propertyId } : {}) });
}

/**
 * tenantOf for reports that may span tenants: operators and services that name no tenant get
 * null (every tenant); everyone else is held to their own, exactly as tenantOf.
 */
export function tenantScopeOf(p: Principal, requested: string | undefined): string | null {
  const crossTenant = p.kind === 'service' || (p.kind === 'person' && p.roles.includes('operator'));
  if (crossTenant && !requested) return null;
  return tenantOf(p, requested);
}
