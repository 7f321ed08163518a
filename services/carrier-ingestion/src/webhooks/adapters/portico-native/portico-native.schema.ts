import { z } from 'zod';
import { CUSTOMS_HOLD_REASONS, EXCEPTION_REASONS, TRACKING_STATUSES } from '../../tracking-update';

/**
 * The Portico-native webhook body (documented in docs/webhooks/portico-native.md). Carriers without
 * a format of their own post this, signed per the Standard Webhooks specification.
 */
const location = z
  .object({
    country: z.string().length(2).toUpperCase().optional(),
    region: z.string().max(100).optional(),
    city: z.string().max(100).optional(),
    postalCode: z.string().max(20).optional(),
    description: z.string().max(300).optional(),
  })
  .strict();

const recipient = z
  .object({
    name: z.string().max(200).optional(),
    phone: z.string().max(40).optional(),
    postalCode: z.string().max(20).optional(),
    addressLine: z.string().max(500).optional(),
    unit: z.string().max(50).optional(),
  })
  .strict();

export const porticoNativeEvent = z
  .object({
    carrier: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase carrier code'),
    trackingNumber: z.string().min(4).max(64),
    status: z.enum(TRACKING_STATUSES),
    customsHoldReason: z.enum(CUSTOMS_HOLD_REASONS).optional(),
    exceptionReason: z.enum(EXCEPTION_REASONS).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    estimatedDelivery: z.iso.date().optional(),
    location: location.optional(),
    carrierStatusCode: z.string().max(100).default(''),
    description: z.string().max(1000).default(''),
    recipient: recipient.optional(),
  })
  .strict()
  .refine((e) => e.status !== 'customs_hold' || e.customsHoldReason !== undefined, {
    message: 'customsHoldReason is required when status is customs_hold',
    path: ['customsHoldReason'],
  })
  .refine((e) => e.status !== 'exception' || e.exceptionReason !== undefined, {
    message: 'exceptionReason is required when status is exception',
    path: ['exceptionReason'],
  });

export const porticoNativeWebhook = z
  .object({
    type: z.literal('tracking.updated'),
    timestamp: z.iso.datetime({ offset: true }),
    data: z.object({ events: z.array(porticoNativeEvent).min(1).max(100) }).strict(),
  })
  .strict();

export type PorticoNativeWebhook = z.infer<typeof porticoNativeWebhook>;
