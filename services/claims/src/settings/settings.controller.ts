import { Body, Controller, Get, Inject, Put, Query } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import { z } from 'zod';
import { actorIdOf, tenantOf } from '../shared/callers';
import { CLOCK, type Clock } from '../shared/tokens';
import { claimSettingsSchema } from './claim-settings';
import { SettingsRepository } from './settings.repository';
import { TenantSettings } from './tenant-settings';

const tenantQuery = z.object({ tenantId: z.string().min(1).max(100).optional() }).strict();

/**
 * A tenant's claim rules (detection thresholds and switches, service levels, default decision).
 * Managers read and set their own tenant's; operators any tenant's (`?tenantId=`). The whole
 * document is replaced on PUT, validated by the schema the service runs on; running claims keep
 * the service levels they opened with, the next event or timer uses the new detection rules.
 */
@Controller('v1/claim-settings')
@Access.people('manager', 'operator')
export class SettingsController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: SettingsRepository,
    private readonly tenantSettings: TenantSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async get(@CurrentPrincipal() caller: Principal, @Query() query: unknown) {
    const tenantId = tenantOf(caller, tenantQuery.parse(query).tenantId);
    const stored = await this.uow.read((m) => this.repo.find(m, tenantId));
    return stored
      ? {
          tenantId,
          source: 'tenant',
          version: stored.version,
          updatedAt: stored.updatedAt.toISOString(),
          settings: stored.settings,
        }
      : { tenantId, source: 'default', version: 0, updatedAt: null, settings: this.tenantSettings.defaults };
  }

  @Put()
  async put(@CurrentPrincipal() caller: Principal, @Query() query: unknown, @Body() body: unknown) {
    const tenantId = tenantOf(caller, tenantQuery.parse(query).tenantId);
    const settings = claimSettingsSchema.parse(body);
    const now = this.clock();
    const version = await this.uow.transaction((m) =>
      this.repo.save(m, tenantId, settings, actorIdOf(caller), now),
    );
    return { tenantId, source: 'tenant', version, updatedAt: now.toISOString(), settings };
  }
}
