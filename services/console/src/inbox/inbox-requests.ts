import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an id (letters, digits, _ . : -)');

export const inboxQuery = z
  .object({
    propertyId: id.optional(),
    caseId: id.optional(),
    state: z.enum(['open', 'acknowledged', 'active', 'closed']).default('active'),
  })
  .strict();

export const taskIdParam = id;

export const documentDecisionBody = z
  .object({ reason: z.string().regex(/^[a-z_]{1,64}$/) })
  .strict();

export const documentPart = z.enum(['front', 'back', 'single_page']);
