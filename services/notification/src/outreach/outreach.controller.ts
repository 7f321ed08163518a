import { Controller, Get, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { taskQuerySchema, type TaskView } from './task-access';
import { TaskQueriesService } from './task-queries.service';

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
}
