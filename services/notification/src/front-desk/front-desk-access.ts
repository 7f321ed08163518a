import { AuthError, type Principal } from '@portico/auth';
import { ConflictError } from '@portico/service-kit';
import { z } from 'zod';
import type { QueueFilter, QueueState } from './front-desk-queue.repository';

const id = z.string().trim().min(1).max(100);

/** `GET /v1/front-desk/queue` query string. */
export const queueQuerySchema = z.object({
  state: z.enum(['open', 'linked', 'dismissed']).default('open'),
  propertyId: id.optional(),
  tenantId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type QueueQuery = z.output<typeof queueQuerySchema>;

/** `POST /v1/front-desk/queue/:entryId/link` body. */
export const linkBodySchema = z.object({ residentId: id });

/** Why a queued parcel was set aside without a resident (a closed list: reports count it). */
export const DISMISS_REASONS = ['not_our_resident', 'returned_to_sender', 'duplicate', 'other'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

/**
 * `POST /v1/front-desk/queue/:entryId/dismiss` body. The note is for the colleagues reading the
 * queue: it may name people, so it is stored with the entry and never logged or emitted. A blank
 * note is no note.
 */
export const dismissBodySchema = z.object({
  reason: z.enum(DISMISS_REASONS),
  note: z
    .string()
    .trim()
    .max(500)
    .optional()
    .transform((n) => (n ? n : null)),
});
export type DismissBody = z.output<typeof dismissBodySchema>;

/**
 * The 409 for acting (link or dismiss) on an entry that is no longer open, or null when it is.
 * A dismissed entry gets its own code so a desk client can say "someone set this aside" rather
 * than "someone linked it"; `front_desk_entry_closed` keeps meaning "linked" as it always did.
 */
export function entryClosedError(state: QueueState): ConflictError | null {
  if (state === 'open') return null;
  if (state === 'dismissed') {
    return new ConflictError(
      'front_desk_entry_dismissed',
      { en: 'This parcel has already been dismissed from the queue.', zh: '该包裹已从前台待办中移除。' },
      { state },
    );
  }
  return new ConflictError(
    'front_desk_entry_closed',
    { en: 'This parcel has already been linked to a resident.', zh: '该包裹已关联到住户。' },
    { state },
  );
}

const isOperator = (c: Principal) => c.kind === 'person' && c.roles.includes('operator');

/**
 * The query narrowed to what the caller may see. Operators: every tenant (optionally one).
 * Stewards and managers: their tenant's entries of their own properties, plus the tenant's entries
 * no property could be told for (someone at the desk has to look at those). A property they do not
 * hold is refused with 403 tenant_mismatch, like the task list.
 */
export function scopedQueueFilter(caller: Principal, q: QueueQuery): QueueFilter {
  const base = { state: q.state, limit: q.limit };
  if (isOperator(caller)) {
    return { ...base, tenantId: q.tenantId, propertyIds: q.propertyId ? [q.propertyId] : undefined };
  }
  if (caller.kind !== 'person') throw new AuthError('forbidden');
  if (!caller.tenantId) throw new AuthError('missing_tenant');
  if (q.tenantId !== undefined && q.tenantId !== caller.tenantId) throw new AuthError('tenant_mismatch');
  if (q.propertyId !== undefined && !caller.propertyIds.includes(q.propertyId))
    throw new AuthError('tenant_mismatch');
  return {
    ...base,
    tenantId: caller.tenantId,
    propertyIds: q.propertyId ? [q.propertyId] : caller.propertyIds,
    includeUnassigned: q.propertyId === undefined,
  };
}

/**
 * Whether the caller may act on something of this tenant and property (null property: any of the
 * tenant's stewards and managers). Used for the queue entry and for the resident linked to: a
 * steward cannot link a parcel to a resident of a property they do not hold.
 */
export function mayHandle(
  caller: Principal,
  target: { tenantId: string; propertyId: string | null },
): boolean {
  if (isOperator(caller)) return true;
  if (caller.kind !== 'person' || caller.tenantId !== target.tenantId) return false;
  return target.propertyId === null || caller.propertyIds.includes(target.propertyId);
}
