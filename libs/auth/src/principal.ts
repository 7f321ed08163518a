/** Roles a person can hold in Portico. Unknown roles in a token are ignored, never guessed at. */
export const PERSON_ROLES = ['operator', 'manager', 'steward'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/**
 * A signed-in human (OIDC access token). `tenantId` is null only for platform operators, who work
 * across tenants; managers and stewards always belong to one tenant.
 */
export interface PersonPrincipal {
  readonly kind: 'person';
  readonly subject: string;
  readonly roles: readonly PersonRole[];
  readonly tenantId: string | null;
  readonly propertyIds: readonly string[];
}

/** A tenant's property-management system calling with an API key. */
export interface PropertySystemPrincipal {
  readonly kind: 'property-system';
  readonly tenantId: string;
  readonly keyId: string;
  readonly scopes: readonly string[];
}

/** Another Portico service (internal service token). */
export interface ServicePrincipal {
  readonly kind: 'service';
  readonly name: string;
}

export type Principal = PersonPrincipal | PropertySystemPrincipal | ServicePrincipal;
export type PrincipalKind = Principal['kind'];

export function isPersonRole(value: unknown): value is PersonRole {
  return typeof value === 'string' && (PERSON_ROLES as readonly string[]).includes(value);
}
