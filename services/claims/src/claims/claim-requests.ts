import { z } from 'zod';
import { CUSTOMER_DECISIONS } from '../settings/claim-settings';

/**
 * Request bodies of the claim actions. `.strict()` everywhere: unknown fields are refused, so
 * nobody can type a resident's name or phone number into a field the service would keep.
 */
export const moneySchema = z
  .object({
    currencyCode: z.string().regex(/^[A-Z]{3}$/),
    amountMinor: z
      .union([z.string().regex(/^\d{1,15}$/), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)])
      .transform((v) => BigInt(v)),
  })
  .strict();

export const verificationBody = z
  .object({
    source: z.enum(['property_desk', 'parcel_locker', 'neighbours', 'recipient', 'other']),
    outcome: z.enum(['not_found', 'found', 'no_answer']),
  })
  .strict();

export const explanationBody = z
  .object({ channel: z.enum(['phone', 'chat', 'email', 'in_person', 'app']) })
  .strict();

export const assessmentBody = z
  .object({
    severity: z.enum(['none', 'minor', 'major', 'total_loss']),
    estimatedLoss: moneySchema.optional(),
  })
  .strict();

export const inquiryAnswerBody = z
  .object({ outcome: z.enum(['located', 'not_located', 'confirmed_lost', 'confirmed_damaged']) })
  .strict();

export const decisionBody = z.object({ decision: z.enum(CUSTOMER_DECISIONS) }).strict();

export const carrierStatusBody = z
  .object({
    status: z.enum(['in_review', 'approved', 'partially_approved', 'rejected', 'cancelled']),
    granted: moneySchema.optional(),
  })
  .strict()
  .refine((b) => b.status !== 'partially_approved' || b.granted !== undefined, {
    message: 'granted is required for partially_approved',
    path: ['granted'],
  });

export const closeBody = z
  .object({ reason: z.enum(['parcel_found', 'withdrawn', 'cancelled', 'settled_without_filing']) })
  .strict();

export const listQuery = z
  .object({
    parcelId: z
      .string()
      .regex(/^prc_[0-9a-f]{32}$/)
      .optional(),
    tenantId: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
