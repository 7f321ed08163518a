import { z } from 'zod';

/*
 * Bodies and queries of the webhook API. Validation errors are answered by service-kit's filter as
 * `validation_failed` with one issue per problem; messages state the rule, never the value.
 */

const tenantId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

const eventType = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/,
    'must be an event type such as clearance.case.opened, a prefix such as clearance.*, or *',
  );

const eventTypes = z
  .array(eventType)
  .min(1)
  .max(50)
  .transform((list) => [...new Set(list)]);
const description = z.string().trim().max(500);

export const createSubscriptionSchema = z
  .object({
    tenantId: tenantId.optional(),
    url: z.string().trim().min(1).max(4_096),
    eventTypes,
    description: description.default(''),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateSubscriptionInput = z.infer<typeof createSubscriptionSchema>;

export const updateSubscriptionSchema = z
  .object({
    url: z.string().trim().min(1).max(4_096).optional(),
    eventTypes: eventTypes.optional(),
    description: description.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of url, eventTypes, description, enabled');
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionSchema>;

export const listQuerySchema = z.object({ tenantId: tenantId.optional() });

const subscriptionId = z.string().regex(/^whsub_[0-9a-f]{32}$/, 'must be a subscription id (whsub_…)');
export const subscriptionIdSchema = subscriptionId;
export const deliveryIdSchema = z.string().regex(/^msg_[0-9a-f]{32}$/, 'must be a delivery id (msg_…)');

export const deliveryQuerySchema = z
  .object({
    status: z.enum(['pending', 'delivered', 'failed']).optional(),
    eventType: z.string().trim().max(100).optional(),
    parcelId: z.string().trim().max(100).optional(),
    cursor: z
      .string()
      .regex(/^msg_[0-9a-f]{32}$/, 'must be the nextCursor of the previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type DeliveryQuery = z.infer<typeof deliveryQuerySchema>;

const MAX_REPLAY_RANGE_MS = 31 * 86_400_000;
export const replayRangeSchema = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict()
  .transform((v) => ({ from: new Date(v.from), to: new Date(v.to) }))
  .refine((v) => v.from < v.to, { message: 'from must be before to', path: ['to'] })
  .refine((v) => v.to.getTime() - v.from.getTime() <= MAX_REPLAY_RANGE_MS, {
    message: 'a replay covers at most 31 days',
    path: ['to'],
  });

export const noticesQuerySchema = z
  .object({ tenantId: tenantId.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();
