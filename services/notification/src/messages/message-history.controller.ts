import { Controller, Get, Param, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { MessageView } from '@portico/contracts';
import { z } from 'zod';
import { messageHistoryQuery } from './message-history';
import { MessageHistoryService } from './message-history.service';

const taskIdSchema = z.string().trim().min(1).max(100);

/** The messages sent for a parcel, case or task, with their delivery status (recipient role only). */
@Controller('v1/outreach')
export class MessageHistoryController {
  constructor(private readonly history: MessageHistoryService) {}

  @Get('messages')
  @Access.people('steward', 'manager', 'operator')
  async list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: unknown,
  ): Promise<{ items: MessageView[] }> {
    const parsed = messageHistoryQuery.parse(query);
    const span = trace.getActiveSpan();
    if (parsed.parcelId) span?.setAttribute('portico.parcel_id', parsed.parcelId);
    if (parsed.caseId) span?.setAttribute('portico.case_id', parsed.caseId);
    if (parsed.taskId) span?.setAttribute('portico.task_id', parsed.taskId);
    return { items: await this.history.list(caller, parsed) };
  }

  @Get('tasks/:taskId/messages')
  @Access.people('steward', 'manager', 'operator')
  async forTask(
    @CurrentPrincipal() caller: Principal,
    @Param('taskId') taskId: string,
  ): Promise<{ items: MessageView[] }> {
    const id = taskIdSchema.parse(taskId);
    trace.getActiveSpan()?.setAttribute('portico.task_id', id);
    return { items: await this.history.forTask(caller, id) };
  }
}
