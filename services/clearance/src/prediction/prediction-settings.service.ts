import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@portico/auth';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import type { EffectiveSettings } from './hold-observation';
import { PREDICTION_OPTIONS, type PredictionOptions } from './prediction-options';
import {
  settingsView,
  targetTenantOf,
  type PredictionSettingsView,
  type PutSettingsBody,
} from './prediction-settings';
import { PredictionSettingsRepository } from './prediction-settings.repository';

/** Reads and changes a tenant's prediction settings; tells the predictor what applies to a tenant. */
@Injectable()
export class PredictionSettingsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly settings: PredictionSettingsRepository,
    @Inject(PREDICTION_OPTIONS) private readonly options: PredictionOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(caller: Principal, requestedTenant: string | undefined): Promise<PredictionSettingsView> {
    const tenantId = targetTenantOf(caller, requestedTenant);
    const stored = await this.uow.read((m) => this.settings.find(m, tenantId));
    return settingsView(tenantId, stored, this.options.defaultThreshold);
  }

  async put(caller: Principal, body: PutSettingsBody): Promise<PredictionSettingsView> {
    const tenantId = targetTenantOf(caller, body.tenantId);
    const stored = await this.uow.transaction((m) =>
      this.settings.upsert(m, tenantId, body, this.options.defaultThreshold, this.clock()),
    );
    return settingsView(tenantId, stored, this.options.defaultThreshold);
  }

  /**
   * What applies to these tenants' parcels now, read in the caller's transaction with one statement
   * (no cache: a PUT applies from the next chunk on).
   */
  async effectiveMany(
    m: EntityManager,
    tenantIds: readonly string[],
  ): Promise<Map<string, EffectiveSettings>> {
    const stored = await this.settings.findMany(m, [...new Set(tenantIds)]);
    const fallback: EffectiveSettings = { threshold: this.options.defaultThreshold, enabled: true };
    return new Map(tenantIds.map((t) => [t, stored.get(t) ?? fallback]));
  }
}
