import { Controller, Get, Param, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { CaseQueriesService } from './case-queries.service';
import { listCasesQuery, type CaseView } from './case-view';

/**
 * Case queries for stewards, managers and operators (their tenant's cases; operators all), and for
 * notification's service-to-service calls. Thin: validate, call the service.
 */
@Controller('v1/cases')
@Access.people('steward', 'manager', 'operator')
@Access.service('notification')
export class CasesController {
  constructor(private readonly queries: CaseQueriesService) {}

  @Get()
  async list(@CurrentPrincipal() caller: Principal, @Query() query: unknown): Promise<{ items: CaseView[] }> {
    // ZodError -> 400 validation_failed with the issue paths (service-kit's filter)
    const parsed = listCasesQuery.parse(query);
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', parsed.parcelId);
    return { items: await this.queries.listByParcel(caller, parsed) };
  }

  @Get(':caseId')
  async get(@CurrentPrincipal() caller: Principal, @Param('caseId') caseId: string): Promise<CaseView> {
    const view = await this.queries.get(caller, caseId);
    const span = trace.getActiveSpan();
    span?.setAttribute('portico.case_id', view.id);
    span?.setAttribute('portico.parcel_id', view.parcelId);
    return view;
  }
}
