import { Controller, Get, Headers, Param, Post, Query } from '@nestjs/common';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { inboxQuery, taskIdParam } from './inbox-requests';
import { InboxService } from './inbox.service';

@Controller('api/tasks')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** The inbox, most urgent first. Stewards see their own properties only (notification enforces it from the token). */
  @Get()
  async list(@CurrentSession() session: Session, @Query() query: unknown) {
    return { items: await this.inbox.list(session, inboxQuery.parse(query)) };
  }

  @Get(':taskId/actions')
  actions(@CurrentSession() session: Session, @Param('taskId') taskId: string) {
    return this.inbox.actions(session, taskIdParam.parse(taskId));
  }

  @Post(':taskId/acknowledge')
  acknowledge(
    @CurrentSession() session: Session,
    @Param('taskId') taskId: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const key = idempotencyKey && idempotencyKey.length <= 200 ? idempotencyKey : undefined;
    return this.inbox.acknowledge(session, taskIdParam.parse(taskId), key);
  }
}
