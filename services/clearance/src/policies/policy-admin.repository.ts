import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DocumentTypeName, HoldReason } from '../cases/case';
import type { ExpediteRule } from '../cases/requirement-policy';
import type { TimerRules } from '../deadlines/timer-rules';
import { returnedRows } from '@portico/messaging';
import type { PolicyChange, PolicySnapshot, StoredPolicy } from './policy-admin';

interface PolicyRow {
  id: string;
  tenant_id: string | null;
  carrier_code: string | null;
  origin_country_code: string | null;
  destination_country_code: string | null;
  description: string;
  // written by this API (validated) or by the migration's seeds
  requirements: Partial<Record<HoldReason, DocumentTypeName[]>>;
  default_deadline_hours: number;
  expedite: ExpediteRule;
  timers: TimerRules | null;
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface ChangeRow {
  policy_id: string;
  tenant_id: string | null;
  action: PolicyChange['action'];
  version: number;
  actor_kind: PolicyChange['actor']['kind'];
  actor_id: string;
  actor_roles: string[];
  changed_fields: string[];
  before: PolicySnapshot | null;
  after: PolicySnapshot;
  at: Date;
}

const COLUMNS = `id, tenant_id, carrier_code, origin_country_code, destination_country_code, description,
  requirements, default_deadline_hours, expedite, timers, active, version, created_at, updated_at`;

function toPolicy(row: PolicyRow): StoredPolicy {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    carrierCode: row.carrier_code,
    originCountryCode: row.origin_country_code,
    destinationCountryCode: row.destination_country_code,
    description: row.description,
    requirements: row.requirements,
    defaultDeadlineHours: row.default_deadline_hours,
    expedite: row.expedite,
    timers: row.timers,
    active: row.active,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * All SQL of the policy API over `clearance_policies` and `clearance_policy_changes`. Runs only in
 * the manager it is given, so a policy write and its audit row share the caller's transaction.
 * (The case-opening path reads policies through cases/policy.repository.ts, per event, uncached.)
 */
@Injectable()
export class PolicyAdminRepository {
  /** A tenant's policies and the platform defaults (`tenantId` null: every policy), platform first. */
  async list(
    m: EntityManager,
    filter: { tenantId: string | null; includeInactive: boolean },
  ): Promise<StoredPolicy[]> {
    const rows = await m.query<PolicyRow[]>(
      `SELECT ${COLUMNS} FROM clearance_policies
        WHERE ($1::text IS NULL OR tenant_id IS NULL OR tenant_id = $1)
          AND ($2 OR active)
        ORDER BY tenant_id NULLS FIRST, active DESC, id`,
      [filter.tenantId, filter.includeInactive],
    );
    return rows.map(toPolicy);
  }

  /** With `lock`, the row stays locked until the transaction ends: a concurrent edit waits for this one. */
  async findById(
    m: EntityManager,
    id: string,
    options: { lock: boolean },
  ): Promise<StoredPolicy | undefined> {
    const rows = await m.query<PolicyRow[]>(
      `SELECT ${COLUMNS} FROM clearance_policies WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toPolicy(rows[0]) : undefined;
  }

  /**
   * The active policy holding exactly this scope, other than `exceptId`. Same expression as the
   * unique index `clearance_policies_scope_idx`, which still decides between concurrent writers.
   */
  async activeWithScope(
    m: EntityManager,
    scope: Pick<StoredPolicy, 'tenantId' | 'carrierCode' | 'originCountryCode' | 'destinationCountryCode'>,
    exceptId: string | null,
  ): Promise<string | undefined> {
    const rows = await m.query<Array<{ id: string }>>(
      `SELECT id FROM clearance_policies
        WHERE active
          AND coalesce(tenant_id, '') = coalesce($1, '')
          AND coalesce(carrier_code, '') = coalesce($2, '')
          AND coalesce(origin_country_code, '') = coalesce($3, '')
          AND coalesce(destination_country_code, '') = coalesce($4, '')
          AND ($5::text IS NULL OR id <> $5)`,
      [scope.tenantId, scope.carrierCode, scope.originCountryCode, scope.destinationCountryCode, exceptId],
    );
    return rows[0]?.id;
  }

  async insert(m: EntityManager, p: StoredPolicy): Promise<void> {
    await m.query(
      `INSERT INTO clearance_policies (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14)`,
      [
        p.id,
        p.tenantId,
        p.carrierCode,
        p.originCountryCode,
        p.destinationCountryCode,
        p.description,
        JSON.stringify(p.requirements),
        p.defaultDeadlineHours,
        JSON.stringify(p.expedite),
        p.timers ? JSON.stringify(p.timers) : null,
        p.active,
        p.version,
        p.createdAt,
        p.updatedAt,
      ],
    );
  }

  /** Writes `next` over the row if it is still at `expectedVersion`; false when it moved on meanwhile. */
  async update(m: EntityManager, next: StoredPolicy, expectedVersion: number): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE clearance_policies
            SET carrier_code = $3, origin_country_code = $4, destination_country_code = $5,
                description = $6, requirements = $7::jsonb, default_deadline_hours = $8,
                expedite = $9::jsonb, timers = $10::jsonb, active = $11, version = $12, updated_at = $13
          WHERE id = $1 AND version = $2
          RETURNING id`,
        [
          next.id,
          expectedVersion,
          next.carrierCode,
          next.originCountryCode,
          next.destinationCountryCode,
          next.description,
          JSON.stringify(next.requirements),
          next.defaultDeadlineHours,
          JSON.stringify(next.expedite),
          next.timers ? JSON.stringify(next.timers) : null,
          next.active,
          next.version,
          next.updatedAt,
        ],
      ),
    );
    return rows.length === 1;
  }

  async addChange(m: EntityManager, c: PolicyChange): Promise<void> {
    await m.query(
      `INSERT INTO clearance_policy_changes
         (policy_id, tenant_id, action, version, actor_kind, actor_id, actor_roles, changed_fields,
          before, after, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9::jsonb, $10::jsonb, $11)`,
      [
        c.policyId,
        c.tenantId,
        c.action,
        c.version,
        c.actor.kind,
        c.actor.id,
        c.actor.roles,
        c.changedFields,
        c.before === null ? null : JSON.stringify(c.before),
        JSON.stringify(c.after),
        c.at,
      ],
    );
  }

  /** A policy's changes, oldest first. */
  async changesOf(m: EntityManager, policyId: string): Promise<PolicyChange[]> {
    const rows = await m.query<ChangeRow[]>(
      `SELECT policy_id, tenant_id, action, version, actor_kind, actor_id, actor_roles, changed_fields,
              before, after, at
         FROM clearance_policy_changes WHERE policy_id = $1 ORDER BY id`,
      [policyId],
    );
    return rows.map((r) => ({
      policyId: r.policy_id,
      tenantId: r.tenant_id,
      action: r.action,
      version: r.version,
      actor: { kind: r.actor_kind, id: r.actor_id, roles: r.actor_roles },
      changedFields: r.changed_fields,
      before: r.before,
      after: r.after,
      at: r.at,
    }));
  }
}
