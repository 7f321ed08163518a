import { z } from 'zod';
import { WEBHOOK_PROVIDERS } from '../webhooks/adapters/adapter-registry';

/**
 * Body of `POST /v1/carrier-accounts`. Strict: an unknown field is an error, not silently dropped.
 * The carrier code is the lowercase slug parcel ids are derived from (`sf-express`, `demo-express`);
 * webhooks of the account may only report parcels of that carrier.
 */
export const createCarrierAccountBody = z
  .object({
    tenantId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." or "-", at most 64'),
    provider: z.enum(WEBHOOK_PROVIDERS),
    carrierCode: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase carrier code such as sf-express (2 to 40 characters)'),
    displayName: z.string().trim().min(1).max(200),
  })
  .strict();

export type CreateCarrierAccountBody = z.infer<typeof createCarrierAccountBody>;
