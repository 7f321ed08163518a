import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { BadRequestError, ConflictError, ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import { TimerScheduler, type Timer } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import { NotificationTimers } from '../shared/notification-timers';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';
import {
  entityOf,
  planChanges,
  type ChangeOutcome,
  type DirectoryChange,
  type DirectoryChanges,
  type DirectoryChangesResult,
} from './directory-changes.schema';
import { DirectoryMetrics } from './directory.metrics';
import { DirectoryRepository } from './directory.repository';
import { consentOfRow, toRows } from './directory.service';
import { consentWithdrawals, DirectoryHooks } from './consent-changes';

/** Durable timer that blanks a removed resident's personal data after the retention. */
export const RESIDENT_PURGE_TIMER = 'directory.resident-purge';

interface PurgePayload {
  readonly residentId: string;
}

const DAY_MS = 86_400_000;

/**
 * Applies roster changes: one transaction per batch (all-or-nothing), a change id seen before is a
 * no-op, and per entity the change that happened last at the source wins, whatever order the
 * changes arrive in. Removals are soft: a moved-out resident stops matching parcels at once and
 * their personal data is blanked DIRECTORY_PURGE_AFTER_DAYS after the move-out (durable timer).
 */
@Injectable()
export class DirectoryChangesService implements OnModuleInit {
  private readonly log: Logger;
  private readonly timers = new TimerScheduler();
  private readonly purgeAfterMs: number;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly directory: DirectoryRepository,
    private readonly metrics: DirectoryMetrics,
    private readonly runner: NotificationTimers,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_CONFIG) config: Pick<NotificationConfig, 'directoryPurgeAfterDays'>,
    @Inject(ROOT_LOGGER) root: Logger,
    @Optional() private readonly hooks?: DirectoryHooks,
  ) {
    this.log = root.child({ component: 'directory' });
    this.purgeAfterMs = config.directoryPurgeAfterDays * DAY_MS;
  }

  onModuleInit(): void {
    this.runner.register<PurgePayload>(RESIDENT_PURGE_TIMER, (timer, m) => this.onPurgeDue(timer, m));
  }

  async apply(batch: DirectoryChanges): Promise<DirectoryChangesResult> {
    const tenantId = batch.tenantId;
    const outcomes = await this.uow.transaction(async (m) => {
      const out = new Array<ChangeOutcome>(batch.changes.length);
      for (const { index, change, repeatInBatch } of planChanges(batch.changes)) {
        if (repeatInBatch || (await this.directory.changeSeen(m, tenantId, change.changeId))) {
          out[index] = 'duplicate';
          continue;
        }
        const entity = entityOf(change);
        const wins = await this.directory.advanceVersion(
          m,
          tenantId,
          entity.kind,
          entity.id,
          change.occurredAt,
        );
        out[index] = wins ? await this.applyOne(m, tenantId, change, index) : 'stale';
        await this.directory.recordChange(m, tenantId, {
          changeId: change.changeId,
          kind: entity.kind,
          entityId: entity.id,
          occurredAt: change.occurredAt,
          outcome: out[index] === 'stale' ? 'stale' : 'applied',
        });
      }
      return out;
    });
    const results = batch.changes.map((c, i) => ({
      changeId: c.changeId,
      type: c.type,
      outcome: outcomes[i]!,
    }));
    for (const r of results) this.metrics.change(r.type, r.outcome === 'not_found' ? 'applied' : r.outcome);
    // Ids, types and outcomes only.
    this.log.info(
      {
        tenantId,
        changes: results.map((r) => ({ changeId: r.changeId, type: r.type, outcome: r.outcome })),
      },
      'roster changes applied',
    );
    return { tenantId, results };
  }

  private async applyOne(
    m: EntityManager,
    tenantId: string,
    c: DirectoryChange,
    index: number,
  ): Promise<ChangeOutcome> {
    const at = `changes.${index}`;
    switch (c.type) {
      case 'resident.upsert': {
        const unit = await this.directory.unitOfTenant(m, tenantId, c.unitId);
        if (!unit) throw unknown('unknown_unit', `${at}.unitId`);
        // The import's row mapping, for one resident of one unit.
        const rows = toRows({
          tenant: { id: tenantId, name: '' },
          properties: [
            {
              id: unit.propertyId,
              name: '',
              address: { country: 'ZZ', region: '', city: '', district: '', postalCode: '', addressLine: '' },
              language: 'zh',
              quietHours: null,
              residentOutreach: 'steward_only',
              units: [{ id: c.unitId, label: '', residents: [c.resident] }],
            },
          ],
          staff: [],
        });
        const consentBefore = await this.directory.consentOf(m, tenantId, [c.resident.id]);
        const written = await this.directory.upsertResidents(m, tenantId, rows.residents);
        if (written.length === 0) throw foreign(`${at}.resident.id`);
        await this.hooks?.consentWithdrawn(
          m,
          tenantId,
          consentWithdrawals(consentBefore, rows.residents.map(consentOfRow)),
          c.occurredAt,
        );
        await this.directory.replacePreRegistrations(m, tenantId, written, rows.preRegistrations);
        return 'applied';
      }
      case 'resident.remove': {
        if (!(await this.directory.removeResident(m, tenantId, c.residentId, c.occurredAt)))
          return 'not_found';
        await this.timers.schedule<PurgePayload>(m, {
          key: `resident-purge:${c.residentId}`,
          kind: RESIDENT_PURGE_TIMER,
          dueAt: new Date(c.occurredAt.getTime() + this.purgeAfterMs),
          payload: { residentId: c.residentId },
        });
        return 'applied';
      }
      case 'staff.upsert': {
        const known = await this.directory.propertyIdsOfTenant(m, tenantId, c.staff.propertyIds);
        const missing = c.staff.propertyIds.findIndex((p) => !known.has(p));
        if (missing >= 0) throw unknown('unknown_property', `${at}.staff.propertyIds.${missing}`);
        const rows = toRows({ tenant: { id: tenantId, name: '' }, properties: [], staff: [c.staff] });
        const written = await this.directory.upsertStaff(m, tenantId, rows.staff);
        if (written.length === 0) throw foreign(`${at}.staff.id`);
        await this.directory.replaceStaffAssignments(m, written, rows.rota);
        return 'applied';
      }
      case 'staff.remove':
        return (await this.directory.removeStaff(m, tenantId, c.staffId, c.occurredAt))
          ? 'applied'
          : 'not_found';
      case 'duty.set': {
        if (!(await this.directory.staffAssigned(m, tenantId, c.staffId, c.propertyId)))
          throw unknown('unknown_assignment', `${at}.staffId`);
        await this.directory.upsertRota(m, [
          {
            staffId: c.staffId,
            propertyId: c.propertyId,
            onDuty: c.onDuty,
            priority: c.priority,
            ...(c.window !== undefined ? { window: c.window } : {}),
          },
        ]);
        return 'applied';
      }
    }
  }

  /** Runs in the timer's claiming transaction: database work only. */
  private async onPurgeDue(timer: Timer<PurgePayload>, m: EntityManager): Promise<void> {
    const now = this.clock();
    const purged = await this.directory.purgeResident(
      m,
      timer.payload.residentId,
      new Date(now.getTime() - this.purgeAfterMs),
      now,
    );
    if (purged) this.metrics.purged();
    // A resident who moved back in (or was purged already) keeps their data.
    this.log.info({ residentId: timer.payload.residentId, purged }, 'removed resident purge due');
  }
}

function unknown(
  code: 'unknown_unit' | 'unknown_property' | 'unknown_assignment',
  path: string,
): BadRequestError {
  return new BadRequestError(
    'unknown_reference',
    {
      en: 'Some changes name units, properties or staff assignments this tenant does not have; nothing was applied.',
      zh: '部分变更引用了该租户不存在的单元、物业或员工分配，未应用任何变更。',
    },
    { issues: [{ path, code }] },
  );
}

function foreign(path: string): ConflictError {
  return new ConflictError(
    'directory_id_conflict',
    {
      en: 'Some ids in the changes already belong to another tenant; nothing was applied.',
      zh: '变更中的部分 ID 已属于其他租户，未应用任何变更。',
    },
    { issues: [{ path, code: 'id_owned_by_another_tenant' }] },
  );
}
