import { z } from 'zod';

const STANDARD_WEBHOOKS_SECRET = /^whsec_[A-Za-z0-9+/]{24,}={0,2}$/;

/**
 * A secret issued by the provider (AfterShip's webhook secret, 17TRACK's security key, SF's
 * checkWord): printable ASCII without spaces, long enough not to be guessed.
 */
const providerSecret = z
  .string()
  .regex(/^[\x21-\x7e]{16,512}$/, '16 to 512 printable ASCII characters without spaces');
import { WEBHOOK_PROVIDERS } from '../webhooks/adapters/adapter-registry';

/**
 * Body of `POST /v1/carrier-accounts`. Strict: an unknown field is an error, not silently dropped.
 * The carrier code is the lowercase slug parcel ids are derived from (`sf-express`, `demo-express`);
 * webhooks of a single-carrier account may only report parcels of that carrier. Aggregators
 * (AfterShip, EasyPost, 17TRACK) report every carrier's parcels; their code labels the account.
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
    secret: providerSecret.optional(),
  })
  .strict()
  .refine(
    (b) =>
      b.secret === undefined || b.provider !== 'portico-native' || STANDARD_WEBHOOKS_SECRET.test(b.secret),
    {
      message:
        'a portico-native secret is whsec_ followed by base64 (or leave it out and Portico generates one)',
      path: ['secret'],
    },
  );

export type CreateCarrierAccountBody = z.infer<typeof createCarrierAccountBody>;

/** Body of `POST /v1/carrier-accounts/:id/secrets`: empty (Portico generates) or the provider's new secret. */
export const rotateSecretBody = z.object({ secret: providerSecret.optional() }).strict();
