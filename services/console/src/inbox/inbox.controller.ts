import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { contactedBody, inboxQuery, taskIdParam } from './inbox-requests';
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
    return this.inbox.acknowledge(session, taskIdParam.parse(taskId), boundedKey(idempotencyKey));
  }

  /** "Send script": the steward sent it on a channel of theirs; notification records the contact. */
  @Post(':taskId/contacted')
  @HttpCode(200)
  contacted(
    @CurrentSession() session: Session,
    @Param('taskId') taskId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const { channel } = contactedBody.parse(body);
    return this.inbox.contacted(session, taskIdParam.parse(taskId), channel, boundedKey(idempotencyKey));
  }
}

function boundedKey(key: string | undefined): string | undefined {
  return key && key.length <= 200 ? key : undefined;
}
