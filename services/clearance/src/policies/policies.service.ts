import { Inject, Injectable } from '@nestjs/common';
import { AuthError, type Principal } from '@portico/auth';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import {
  actorOf,
  assertMayEdit,
  changedFields,
  isPolicyId,
  listedTenant,
  mayRead,
  snapshotOf,
  tenantForNewPolicy,
  toChangeView,
  toPolicyView,
  type PolicyAction,
  type PolicyChangeView,
  type PolicyView,
  type StoredPolicy,
} from './policy-admin';
import { PolicyAdminRepository } from './policy-admin.repository';
import {
  PolicyInactiveError,
  PolicyNotFoundError,
  PolicyScopeTakenError,
  PolicyVersionConflictError,
} from './policy-errors';
import type { CreatePolicyBody, ListPoliciesQuery, PolicyRulesInput } from './policy-requests';

export const POLICY_ID_PREFIX = 'pol';
const SCOPE_INDEX = 'clearance_policies_scope_idx';

/**
 * Requirement policies edited per tenant. Every write locks the policy row, checks who may touch it
 * and the version the caller read, and commits the row and its audit entry in one transaction.
 * Nothing is cached anywhere: the case-opening path reads active policies in its own transaction
 * for every hold, so an edit applies to the next hold that arrives after it commits.
 */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly policies: PolicyAdminRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('clearance-policies') private readonly logger: PinoLogger,
  ) {}

  list(caller: Principal, query: ListPoliciesQuery): Promise<PolicyView[]> {
    const { tenantId } = listedTenant(caller, query.tenantId);
    return this.uow.read(async (m) =>
      (await this.policies.list(m, { tenantId, includeInactive: query.includeInactive })).map((p) =>
        toPolicyView(p, caller),
      ),
    );
  }

  get(caller: Principal, policyId: string): Promise<PolicyView> {
    return this.uow.read(async (m) => toPolicyView(await this.readable(m, caller, policyId), caller));
  }

  /** The policy's audit trail, oldest first; visible to whoever may read the policy. */
  changes(caller: Principal, policyId: string): Promise<PolicyChangeView[]> {
    return this.uow.read(async (m) => {
      await this.readable(m, caller, policyId);
      return (await this.policies.changesOf(m, policyId)).map(toChangeView);
    });
  }

  async create(caller: Principal, body: CreatePolicyBody): Promise<PolicyView> {
    const tenantId = tenantForNewPolicy(caller, body.tenantId);
    const now = this.clock();
    const policy: StoredPolicy = {
      id: this.newId(POLICY_ID_PREFIX),
      tenantId,
      ...rulesOf(body),
      active: true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.write(async (m) => {
      await this.assertScopeFree(m, policy, null);
      await this.policies.insert(m, policy);
      await this.audit(m, caller, 'created', null, policy, now);
    });
    return toPolicyView(policy, caller);
  }

  async replace(
    caller: Principal,
    policyId: string,
    body: PolicyRulesInput,
    expectedVersion: number,
  ): Promise<PolicyView> {
    const next = await this.write(async (m) => {
      const current = await this.editable(m, caller, policyId);
      if (!current.active) throw new PolicyInactiveError();
      if (current.version !== expectedVersion) throw new PolicyVersionConflictError(current.version);
      const now = this.clock();
      const next: StoredPolicy = {
        ...current,
        ...rulesOf(body),
        version: current.version + 1,
        updatedAt: now,
      };
      await this.assertScopeFree(m, next, current.id);
      await this.save(m, next, current.version);
      await this.audit(m, caller, 'replaced', current, next, now);
      return next;
    });
    return toPolicyView(next, caller);
  }

  /**
   * Deactivates a policy; the row stays for history and for the cases that name it. Deactivating
   * an inactive policy changes nothing and writes no audit entry (a retried DELETE is harmless).
   * `expectedVersion` is optional here: unlike a replace, a deactivation loses nobody's edit.
   */
  async deactivate(caller: Principal, policyId: string, expectedVersion?: number): Promise<PolicyView> {
    const result = await this.write(async (m) => {
      const current = await this.editable(m, caller, policyId);
      if (!current.active) return current;
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new PolicyVersionConflictError(current.version);
      }
      const now = this.clock();
      const next: StoredPolicy = { ...current, active: false, version: current.version + 1, updatedAt: now };
      await this.save(m, next, current.version);
      await this.audit(m, caller, 'deactivated', current, next, now);
      return next;
    });
    return toPolicyView(result, caller);
  }

  private async readable(m: EntityManager, caller: Principal, policyId: string): Promise<StoredPolicy> {
    if (!isPolicyId(policyId)) throw new PolicyNotFoundError();
    const found = await this.policies.findById(m, policyId, { lock: false });
    if (!found) throw new PolicyNotFoundError();
    if (!mayRead(caller, found.tenantId)) throw new AuthError('tenant_mismatch');
    return found;
  }

  /** The locked row, after the caller is known to be allowed to change it (before any version check). */
  private async editable(m: EntityManager, caller: Principal, policyId: string): Promise<StoredPolicy> {
    if (!isPolicyId(policyId)) throw new PolicyNotFoundError();
    const found = await this.policies.findById(m, policyId, { lock: true });
    if (!found) throw new PolicyNotFoundError();
    assertMayEdit(caller, found.tenantId);
    return found;
  }

  private async assertScopeFree(m: EntityManager, p: StoredPolicy, exceptId: string | null): Promise<void> {
    const holder = await this.policies.activeWithScope(m, p, exceptId);
    if (holder) throw new PolicyScopeTakenError(holder);
  }

  private async save(m: EntityManager, next: StoredPolicy, expectedVersion: number): Promise<void> {
    // The row is locked, so this only fails if something bypassed the lock; report it as the conflict it is.
    if (!(await this.policies.update(m, next, expectedVersion))) {
      throw new PolicyVersionConflictError(expectedVersion);
    }
  }

  private async audit(
    m: EntityManager,
    caller: Principal,
    action: PolicyAction,
    before: StoredPolicy | null,
    after: StoredPolicy,
    at: Date,
  ): Promise<void> {
    const beforeSnapshot = before && snapshotOf(before);
    const afterSnapshot = snapshotOf(after);
    const fields = changedFields(beforeSnapshot, afterSnapshot);
    await this.policies.addChange(m, {
      policyId: after.id,
      tenantId: after.tenantId,
      action,
      version: after.version,
      actor: actorOf(caller),
      changedFields: fields,
      before: beforeSnapshot,
      after: afterSnapshot,
      at,
    });
    // Ids and field names only; who did it is in the audit table, not in the log stream.
    this.logger.info(
      { policyId: after.id, tenantId: after.tenantId, action, version: after.version, changedFields: fields },
      `policy ${action}`,
    );
  }

  /**
   * One transaction; a concurrent writer that took the same scope between our check and our write
   * is caught by the unique index and answered like the pre-check would have (nothing was written).
   */
  private async write<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.uow.transaction(work);
    } catch (e) {
      if (isScopeIndexViolation(e)) throw new PolicyScopeTakenError();
      throw e;
    }
  }
}

function rulesOf(body: PolicyRulesInput) {
  return {
    carrierCode: body.carrierCode,
    originCountryCode: body.originCountryCode,
    destinationCountryCode: body.destinationCountryCode,
    description: body.description,
    requirements: body.requirements,
    defaultDeadlineHours: body.defaultDeadlineHours,
    expedite: body.expedite,
    timers: body.timers,
  };
}

/** TypeORM's QueryFailedError copies the pg error's fields (code, constraint) onto itself. */
function isScopeIndexViolation(e: unknown): boolean {
  const err = e as {
    code?: unknown;
    constraint?: unknown;
    driverError?: { code?: unknown; constraint?: unknown };
  };
  const code = err?.code ?? err?.driverError?.code;
  const constraint = err?.constraint ?? err?.driverError?.constraint;
  return code === '23505' && constraint === SCOPE_INDEX;
}
