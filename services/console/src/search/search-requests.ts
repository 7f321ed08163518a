import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'an id (letters, digits, _ . : -)');

/**
 * `POST /api/search`: a body, not a query string, because the text is often a resident's name and
 * URLs end up in browser history, access logs and span attributes.
 */
export const searchBody = z
  .object({
    text: z.string().trim().min(2, 'at least 2 characters').max(100, 'at most 100 characters'),
    propertyId: id.optional(),
    stewardId: id.optional(),
    carrierCode: z.string().regex(/^[a-z0-9-]{2,40}$/, 'a carrier code (lowercase letters, digits, -)').optional(),
  })
  .strict();

export type SearchBody = z.infer<typeof searchBody>;
