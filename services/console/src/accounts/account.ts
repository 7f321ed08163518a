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
}

export const accountInput = z
  .object({
    username: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9._@-]{2,63}$/, 'letters, digits and . _ @ -, 3 to 64 characters'),
    password: z.string().min(12, 'at least 12 characters').max(256),
    subject: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
    roles: z.array(z.string().refine(isPersonRole, 'steward, manager or operator')).min(1),
    tenantId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/).nullable(),
    propertyIds: z.array(z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/)).default([]),
  })
  .strict()
  .refine((a) => a.tenantId !== null || a.roles.every((r) => r === 'operator'), {
    message: 'only operators may have no tenant',
    path: ['tenantId'],
  });

export type AccountInput = z.infer<typeof accountInput>;
