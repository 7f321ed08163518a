import { z } from 'zod';
import { amountProblem, CURRENCY_CODE, DECIMAL_AMOUNT } from '../../money';
import { CUSTOMS_HOLD_REASONS, EXCEPTION_REASONS, TRACKING_STATUSES } from '../../tracking-update';

/**
 * The Portico-native webhook body (documented in docs/webhooks/portico-native.md, JSON Schema in
 * docs/webhooks/portico-native.schema.json, generated from this file). Carriers without a format of
 * their own post this, signed per the Standard Webhooks specification.
 */
const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2 country code')
  .toUpperCase();

const location = z
  .object({
    country: countryCode.optional(),
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
    country: countryCode.optional(),
    region: z.string().max(100).optional(),
    city: z.string().max(100).optional(),
    district: z.string().max(100).optional(),
    postalCode: z.string().max(20).optional(),
    addressLine: z.string().max(500).optional(),
    unit: z.string().max(50).optional(),
  })
  .strict();

const declaredValue = z
  .object({
    amount: z.string().regex(DECIMAL_AMOUNT, 'non-negative decimal string such as "1280.00"'),
    currency: z.string().regex(CURRENCY_CODE, 'ISO 4217 currency code such as CNY'),
  })
  .strict()
  .superRefine((v, ctx) => {
    // zod runs this even when a field failed above: report only what the fields' own checks do not.
    if (!DECIMAL_AMOUNT.test(v.amount) || !CURRENCY_CODE.test(v.currency)) return;
    const problem = amountProblem(v.amount, v.currency);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['amount'] });
  });

const shipment = z
  .object({
    originCountry: countryCode.optional(),
    destinationCountry: countryCode.optional(),
    declaredValue: declaredValue.optional(),
    perishable: z.boolean().optional(),
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
    customsDeadline: z.iso.datetime({ offset: true }).optional(),
    location: location.optional(),
    carrierStatusCode: z.string().max(100).default(''),
    description: z.string().max(1000).default(''),
    recipient: recipient.optional(),
    shipment: shipment.optional(),
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
