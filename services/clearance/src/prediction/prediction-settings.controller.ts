import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { getSettingsQuery, putSettingsBody, type PredictionSettingsView } from './prediction-settings';
import { PredictionSettingsService } from './prediction-settings.service';

/**
 * A tenant's hold-prediction threshold, for its managers (their own tenant) and operators (any
 * tenant, named with tenantId). Stewards act on predictions, they do not tune them. Thin: validate,
 * call the service. A ZodError becomes 400 `validation_failed` with the issue paths (service-kit's filter).
 */
@Controller('v1/prediction-settings')
@Access.people('manager', 'operator')
export class PredictionSettingsController {
  constructor(private readonly settings: PredictionSettingsService) {}

  @Get()
  get(@CurrentPrincipal() caller: Principal, @Query() query: unknown): Promise<PredictionSettingsView> {
    return this.settings.get(caller, getSettingsQuery.parse(query).tenantId);
  }

  @Put()
  put(@CurrentPrincipal() caller: Principal, @Body() body: unknown): Promise<PredictionSettingsView> {
    return this.settings.put(caller, putSettingsBody.parse(body ?? {}));
  }
}
