import { isPersonRole, type PersonRole } from '@portico/auth';
import { z } from 'zod';

/** A person who can sign in to the console, and what their session may do. */
export interface Account {
  readonly id: string;
  readonly username: string;
  /** The person's id on the platform (the staff id in notification's directory): the token's `sub`. */
  readonly subject: string;
  readonly roles: readonly PersonRole[];
  /** null only for operators, who work across tenants. */
  readonly tenantId: string | null;
  readonly propertyIds: readonly string[];
  /** Set when the person signs in through that OpenID provider instead of with a password. */
  readonly oidcIssuer?: string | null;
}

const accountFields = {
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._@-]{2,63}$/, 'letters, digits and . _ @ -, 3 to 64 characters'),
  subject: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  roles: z.array(z.string().refine(isPersonRole, 'steward, manager or operator')).min(1),
  tenantId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/).nullable(),
  propertyIds: z.array(z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/)).default([]),
};

const operatorsOnlyWithoutTenant = {
  check: (a: { tenantId: string | null; roles: string[] }) => a.tenantId !== null || a.roles.every((r) => r === 'operator'),
  issue: { message: 'only operators may have no tenant', path: ['tenantId'] },
};

export const accountInput = z
  .object({ ...accountFields, password: z.string().min(12, 'at least 12 characters').max(256) })
  .strict()
  .refine(operatorsOnlyWithoutTenant.check, operatorsOnlyWithoutTenant.issue);

export type AccountInput = z.infer<typeof accountInput>;

/**
 * An account that signs in through the OpenID provider: the same fields without a password, plus the
 * provider's issuer and the person's `sub` there (the mapping key). Roles, tenant and properties
 * come from here, never from the provider's claims.
 */
export const oidcAccountInput = z
  .object({
    username: accountFields.username,
    subject: accountFields.subject,
    roles: accountFields.roles,
    tenantId: accountFields.tenantId,
    propertyIds: accountFields.propertyIds,
    oidcIssuer: z.string().url(),
    oidcSubject: z.string().min(1).max(255),
  })
  .strict()
  .refine(operatorsOnlyWithoutTenant.check, operatorsOnlyWithoutTenant.issue);

export type OidcAccountInput = z.infer<typeof oidcAccountInput>;
