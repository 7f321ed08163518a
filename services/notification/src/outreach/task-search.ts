import type { Principal } from '@portico/auth';
import { normaliseSearchText, type TaskSearchFields, type TaskSearchSteward } from '@portico/contracts';
import { z } from 'zod';
import type { TaskSearchFilter, TaskSearchRow } from './outreach.repository';
import { TASK_STATES } from './outreach-task';
import { maySeeNames, readScope, toTaskView, type TaskView } from './task-access';

const id = z.string().trim().min(1).max(100);

/**
 * `POST /v1/outreach/tasks/search`: a body, not a query string, because the text is a resident's
 * name or unit as often as a tracking number, and URLs end up in access logs and span attributes.
 */
export const taskSearchBody = z
  .object({
    text: z
      .string()
      .trim()
      .min(2, 'at least 2 characters')
      .max(100, 'at most 100 characters')
      .refine((t) => normaliseSearchText(t).length >= 2, 'at least 2 letters or digits'),
    propertyId: id.optional(),
    tenantId: id.optional(),
    stewardId: id.optional(),
    state: z.enum(TASK_STATES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(100),
  })
  .strict();

export type TaskSearchBody = z.output<typeof taskSearchBody>;

export type TaskSearchHit = TaskView & TaskSearchFields;

/**
 * The search narrowed to what the caller may see (readScope, like the task list). Names and units
 * are matched only where the caller may see names (maySeeNames: the property's own stewards and
 * managers), so an operator cannot find a parcel by a name they would not be shown.
 */
export function scopedTaskSearch(caller: Principal, body: TaskSearchBody): TaskSearchFilter {
  const scope = readScope(caller, body);
  const tenantId = caller.kind === 'person' ? caller.tenantId : undefined;
  const namesIn =
    caller.kind === 'person' && tenantId
      ? caller.propertyIds.filter((propertyId) => maySeeNames(caller, { tenantId, propertyId }))
      : [];
  return {
    ...scope,
    needle: normaliseSearchText(body.text),
    namesIn,
    stewardId: body.stewardId,
    state: body.state,
    limit: body.limit,
  };
}

export function toSearchHit(caller: Principal, row: TaskSearchRow): TaskSearchHit {
  return {
    ...toTaskView(caller, row),
    matched: row.matched,
    ...(maySeeNames(caller, row) && row.unitLabel ? { unitLabel: row.unitLabel } : {}),
  };
}

/** The steward filter's list: names only where the caller may see them (as on tasks). */
export function toStewardOptions(
  caller: Principal,
  tenantId: string | undefined,
  stewards: ReadonlyArray<{ id: string; name: string; propertyIds: readonly string[] }>,
): TaskSearchSteward[] {
  return stewards.map((s) => ({
    id: s.id,
    name:
      tenantId && s.propertyIds.some((propertyId) => maySeeNames(caller, { tenantId, propertyId }))
        ? s.name
        : null,
  }));
}
