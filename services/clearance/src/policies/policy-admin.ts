import { AuthError, canAccessTenant, type Principal } from '@portico/auth';
import { z } from 'zod';
import type { DocumentTypeName, HoldReason } from '../cases/case';
import type { ExpediteRule } from '../cases/requirement-policy';
import type { TimerRules } from '../deadlines/timer-rules';
import { PlatformPolicyOperatorsOnlyError } from './policy-errors';

/**
 * Requirement policies as the admin API sees them (all columns of `clearance_policies`, where the
 * case-opening path needs only the active rules), and the pure rules of who may do what to them.
 */

export interface StoredPolicy {
  readonly id: string;
  /** null: a platform default, inherited by every tenant. */
  readonly tenantId: string | null;
  readonly carrierCode: string | null;
  readonly originCountryCode: string | null;
  readonly destinationCountryCode: string | null;
  readonly description: string;
  readonly requirements: Readonly<Partial<Record<HoldReason, readonly DocumentTypeName[]>>>;
  readonly defaultDeadlineHours: number;
  readonly expedite: ExpediteRule;
  /** null: the service's default timer rules. */
  readonly timers: TimerRules | null;
  readonly active: boolean;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What the audit keeps of a policy before and after a change: everything but its timestamps. */
export type PolicySnapshot = Omit<StoredPolicy, 'createdAt' | 'updatedAt'>;

export type PolicyAction = 'created' | 'replaced' | 'deactivated';

/** Who made a change, as recorded in the audit. Opaque ids only, never a name or an email. */
export interface Actor {
  readonly kind: 'person' | 'service';
  readonly id: string;
  readonly roles: readonly string[];
}

export interface PolicyChange {
  readonly policyId: string;
  readonly tenantId: string | null;
  readonly action: PolicyAction;
  readonly version: number;
  readonly actor: Actor;
  readonly changedFields: readonly string[];
  readonly before: PolicySnapshot | null;
  readonly after: PolicySnapshot;
  readonly at: Date;
}

export interface PolicyView {
  id: string;
  tenantId: string | null;
  /** A platform default: applies to the tenant unless one of the tenant's own policies is more specific. */
  inherited: boolean;
  /** Whether the caller may replace or deactivate it. */
  editable: boolean;
  carrierCode: string | null;
  originCountryCode: string | null;
  destinationCountryCode: string | null;
  description: string;
  requirements: Partial<Record<HoldReason, DocumentTypeName[]>>;
  defaultDeadlineHours: number;
  expedite: ExpediteRule;
  timers: TimerRules | null;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PolicyChangeView {
  version: number;
  action: PolicyAction;
  at: string;
  actor: { kind: Actor['kind']; id: string };
  changedFields: string[];
  before: PolicySnapshot | null;
  after: PolicySnapshot;
}

const POLICY_ID = /^pol_[a-z0-9_]{1,64}$/;

/** Whether a string can be a policy id at all (anything else is answered 404 without a lookup). */
export function isPolicyId(value: string): boolean {
  return POLICY_ID.test(value);
}

export function isOperator(caller: Principal): boolean {
  return caller.kind === 'person' && caller.roles.includes('operator');
}

/** Platform defaults are readable by everyone admitted; a tenant's policies by that tenant and operators. */
export function mayRead(caller: Principal, tenantId: string | null): boolean {
  return tenantId === null || canAccessTenant(caller, { tenantId });
}

/** Operators edit every policy; managers their own tenant's, never a platform default. */
export function mayEdit(caller: Principal, tenantId: string | null): boolean {
  if (isOperator(caller)) return true;
  if (caller.kind !== 'person' || !caller.roles.includes('manager')) return false;
  return tenantId !== null && caller.tenantId === tenantId;
}

/** Throws the precise refusal: 403 for a platform default, 403 `tenant_mismatch` for another tenant's. */
export function assertMayEdit(caller: Principal, tenantId: string | null): void {
  if (mayEdit(caller, tenantId)) return;
  if (tenantId === null) throw new PlatformPolicyOperatorsOnlyError();
  if (caller.kind === 'person' && caller.roles.includes('manager') && caller.tenantId !== tenantId) {
    throw new AuthError('tenant_mismatch');
  }
  throw new AuthError('forbidden');
}

/**
 * The tenant a new policy belongs to. Managers create for their own tenant (naming it is optional,
 * naming another is refused); operators must say which tenant, or `null` for a platform default,
 * because guessing "platform-wide" for an operator who forgot the field would change every tenant.
 */
export function tenantForNewPolicy(caller: Principal, requested: string | null | undefined): string | null {
  if (isOperator(caller)) {
    if (requested === undefined) {
      throw new z.ZodError([
        {
          code: 'custom',
          path: ['tenantId'],
          message: 'operators must name the tenant, or null for a platform default',
          input: undefined,
        },
      ]);
    }
    return requested;
  }
  if (caller.kind !== 'person' || !caller.roles.includes('manager')) throw new AuthError('forbidden');
  if (caller.tenantId === null) throw new AuthError('missing_tenant');
  if (requested === null) throw new PlatformPolicyOperatorsOnlyError();
  if (requested !== undefined && requested !== caller.tenantId) throw new AuthError('tenant_mismatch');
  return caller.tenantId;
}

/**
 * Whose policies a list shows: a tenant's (plus the platform defaults it inherits), or for an
 * operator who names no tenant, every policy. Managers and stewards see only their own tenant's.
 */
export function listedTenant(caller: Principal, requested: string | undefined): { tenantId: string | null } {
  if (isOperator(caller) || caller.kind === 'service') return { tenantId: requested ?? null };
  const own = caller.tenantId;
  if (own === null) throw new AuthError('missing_tenant');
  if (requested !== undefined && requested !== own) throw new AuthError('tenant_mismatch');
  return { tenantId: own };
}

export function actorOf(caller: Principal): Actor {
  switch (caller.kind) {
    case 'person':
      return { kind: 'person', id: caller.subject, roles: [...caller.roles] };
    case 'service':
      return { kind: 'service', id: caller.name, roles: [] };
    case 'property-system':
      // The controller admits no property systems; refusing here keeps the audit honest if one slips in.
      throw new AuthError('forbidden');
  }
}

export function snapshotOf(p: StoredPolicy): PolicySnapshot {
  return {
    id: p.id,
    tenantId: p.tenantId,
    carrierCode: p.carrierCode,
    originCountryCode: p.originCountryCode,
    destinationCountryCode: p.destinationCountryCode,
    description: p.description,
    requirements: p.requirements,
    defaultDeadlineHours: p.defaultDeadlineHours,
    expedite: p.expedite,
    timers: p.timers,
    active: p.active,
    version: p.version,
  };
}

const AUDITED_FIELDS = [
  'carrierCode',
  'originCountryCode',
  'destinationCountryCode',
  'description',
  'requirements',
  'defaultDeadlineHours',
  'expedite',
  'timers',
  'active',
] as const satisfies ReadonlyArray<keyof PolicySnapshot>;

/**
 * The fields a change touched, the audit's one-line summary. Compared as canonical JSON (keys
 * sorted), so reordering the hold reasons of `requirements` is not reported as a change.
 */
export function changedFields(before: PolicySnapshot | null, after: PolicySnapshot): string[] {
  if (before === null) return [...AUDITED_FIELDS];
  return AUDITED_FIELDS.filter((f) => canonical(before[f]) !== canonical(after[f]));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

export function toPolicyView(p: StoredPolicy, caller: Principal): PolicyView {
  return {
    id: p.id,
    tenantId: p.tenantId,
    inherited: p.tenantId === null,
    editable: p.active && mayEdit(caller, p.tenantId),
    carrierCode: p.carrierCode,
    originCountryCode: p.originCountryCode,
    destinationCountryCode: p.destinationCountryCode,
    description: p.description,
    requirements: Object.fromEntries(
      Object.entries(p.requirements).map(([reason, docs]) => [reason, [...(docs ?? [])]]),
    ),
    defaultDeadlineHours: p.defaultDeadlineHours,
    expedite: p.expedite,
    timers: p.timers,
    active: p.active,
    version: p.version,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function toChangeView(c: PolicyChange): PolicyChangeView {
  return {
    version: c.version,
    action: c.action,
    at: c.at.toISOString(),
    actor: { kind: c.actor.kind, id: c.actor.id },
    changedFields: [...c.changedFields],
    before: c.before,
    after: c.after,
  };
}

/** The strong ETag of a policy version, as sent in `ETag` and expected back in `If-Match`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}
