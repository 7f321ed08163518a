import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { taskQuerySchema, type TaskView } from './task-access';
import { TaskQueriesService } from './task-queries.service';
import { taskSearchBody, type TaskSearchHit } from './task-search';
import type { TaskSearchSteward } from '@portico/contracts';

@Controller('v1/outreach')
export class OutreachController {
  constructor(private readonly queries: TaskQueriesService) {}

  /**
   * Tasks by parcel, case, state or property, newest first, with the ready-to-send script.
   * Resident and steward names only for the property's own stewards and managers.
   */
  @Get('tasks')
  @Access.people('steward', 'manager', 'operator')
  async list(@CurrentPrincipal() caller: Principal, @Query() query: unknown): Promise<{ items: TaskView[] }> {
    const parsed = taskQuerySchema.parse(query);
    const span = trace.getActiveSpan();
    if (parsed.parcelId) span?.setAttribute('portico.parcel_id', parsed.parcelId);
    if (parsed.caseId) span?.setAttribute('portico.case_id', parsed.caseId);
    return { items: await this.queries.listTasks(caller, parsed) };
  }

  /**
   * Tasks by tracking number, unit or resident name (server-side match, the caller's properties
   * only). POST so the text stays out of URLs; it changes nothing. The text is not logged or traced.
   */
  @Post('tasks/search')
  @HttpCode(200)
  @Access.people('steward', 'manager', 'operator')
  async search(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
  ): Promise<{ items: TaskSearchHit[]; stewards: TaskSearchSteward[] }> {
    return this.queries.search(caller, taskSearchBody.parse(body));
  }
}
