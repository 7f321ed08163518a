import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClaimsConfig } from '../config';
import { CLAIMS_CONFIG } from '../shared/tokens';
import { defaultSettings, type ClaimSettings } from './claim-settings';
import { SettingsRepository } from './settings.repository';

/**
 * The settings a tenant's claims run on: its own row, else the service defaults. Read in the
 * caller's transaction for every decision, with no cache, so an edit applies to the next event.
 */
@Injectable()
export class TenantSettings {
  readonly defaults: ClaimSettings;

  constructor(
    private readonly repo: SettingsRepository,
    @Inject(CLAIMS_CONFIG) config: ClaimsConfig,
  ) {
    this.defaults = defaultSettings(config);
  }

  async of(m: EntityManager, tenantId: string): Promise<ClaimSettings> {
    return (await this.repo.find(m, tenantId))?.settings ?? this.defaults;
  }
}
