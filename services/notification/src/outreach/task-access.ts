import { AuthError, assertTenantAccess, canAccessTenant, type Principal } from '@portico/auth';
import { isParcelId } from '@portico/contracts';
import { z } from 'zod';
import type { TaskFilter, TaskListRow } from './outreach.repository';
import { TASK_STATES, type TaskKind, type TaskState } from './outreach-task';
import { personalise } from './templates';

const id = z.string().trim().min(1).max(100);

/** `GET /v1/outreach/tasks` query string. */
export const taskQuerySchema = z
  .object({
    parcelId: z.string().trim().refine(isParcelId, 'must be a parcel id (prc_ + 32 hex digits)').optional(),
    caseId: id.optional(),
    state: z.enum(TASK_STATES).optional(),
    propertyId: id.optional(),
    tenantId: id.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => q.parcelId || q.caseId || q.state || q.propertyId, {
    message: 'give at least one of parcelId, caseId, state or propertyId',
  });

export type TaskQuery = z.output<typeof taskQuerySchema>;

/** Which tenant and properties a read may cover; undefined = not narrowed (operators only). */
export interface ReadScope {
  readonly tenantId?: string;
  readonly propertyIds?: readonly string[];
}

/**
 * A read narrowed to what the caller may see: operators every tenant (optionally one), stewards and
 * managers only their own tenant's properties listed in their token (`403 tenant_mismatch` when
 * they ask for another tenant or property). Shared by every steward read API (tasks, messages,
 * search) so they cannot drift apart.
 */
export function readScope(caller: Principal, asked: { tenantId?: string; propertyId?: string }): ReadScope {
  if (caller.kind === 'person' && caller.roles.includes('operator')) {
    return { tenantId: asked.tenantId, propertyIds: asked.propertyId ? [asked.propertyId] : undefined };
  }
  if (caller.kind !== 'person') throw new AuthError('forbidden');
  if (!caller.tenantId) throw new AuthError('missing_tenant');
  assertTenantAccess(caller, { tenantId: asked.tenantId ?? caller.tenantId, propertyId: asked.propertyId });
  return {
    tenantId: caller.tenantId,
    propertyIds: asked.propertyId ? [asked.propertyId] : caller.propertyIds,
  };
}

/** The task query narrowed to what the caller may see (readScope). */
export function scopedTaskFilter(caller: Principal, query: TaskQuery): TaskFilter {
  const base = { parcelId: query.parcelId, caseId: query.caseId, state: query.state, limit: query.limit };
  return { ...base, ...readScope(caller, query) };
}

/**
 * Names (resident and steward) are shown to the property's own stewards and managers only; the
 * operators who see every tenant work with ids.
 */
export function maySeeNames(caller: Principal, task: { tenantId: string; propertyId: string }): boolean {
  return (
    caller.kind === 'person' &&
    (caller.roles.includes('steward') || caller.roles.includes('manager')) &&
    caller.tenantId === task.tenantId &&
    caller.propertyIds.includes(task.propertyId)
  );
}

export interface TaskView {
  id: string;
  tenantId: string;
  propertyId: string;
  caseId: string | null;
  round: number;
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
  kind: TaskKind;
  state: TaskState;
  expedited: boolean;
  ackDueAt: string;
  deadline: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  closedAt: string | null;
  closeResolution: string | null;
  /** steward, manager or operations: who answers for the task now. */
  escalationLevel: string;
  /** The user answerable now (null at operations: a shared queue). */
  assigneeId: string | null;
  stewardId: string | null;
  /** Only for the property's stewards and managers. */
  stewardName?: string;
  residentId: string | null;
  /** Only for the property's stewards and managers. */
  residentName?: string;
  script: {
    templateRef: string;
    /** The language to send in. */
    language: 'zh' | 'en';
    /** The script in that language, ready to send. */
    text: string;
    zh: string;
    en: string;
  };
}

export function toTaskView(caller: Principal, row: TaskListRow): TaskView {
  const names = maySeeNames(caller, row);
  const residentName = names ? row.residentName : null;
  const zh = personalise(row.script.zh, 'zh', residentName);
  const en = personalise(row.script.en, 'en', residentName);
  return {
    id: row.id,
    tenantId: row.tenantId,
    propertyId: row.propertyId,
    caseId: row.caseId,
    round: row.round,
    parcelId: row.parcelId,
    carrierCode: row.carrierCode,
    trackingNumber: row.trackingNumber,
    kind: row.kind,
    state: row.state,
    expedited: row.expedited,
    ackDueAt: row.ackDueAt.toISOString(),
    deadline: row.deadline?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    closeResolution: row.closeResolution,
    escalationLevel: row.escalationLevel,
    assigneeId: row.assigneeId,
    stewardId: row.stewardId,
    ...(names && row.stewardName ? { stewardName: row.stewardName } : {}),
    residentId: row.residentId,
    ...(names && row.residentName ? { residentName: row.residentName } : {}),
    script: {
      templateRef: row.script.templateRef,
      language: row.script.language,
      text: row.script.language === 'en' ? en : zh,
      zh,
      en,
    },
  };
}

/** Defence in depth: a row the scope should have excluded is dropped, never shown. */
export function visibleTo(caller: Principal, row: TaskListRow): boolean {
  return canAccessTenant(caller, { tenantId: row.tenantId, propertyId: row.propertyId });
}
