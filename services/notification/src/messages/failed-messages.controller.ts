import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { MessageView } from '@portico/contracts';
import { z } from 'zod';
import { failedMessagesQuery } from './failed-messages';
import { FailedMessagesService } from './failed-messages.service';

const messageIdSchema = z
  .string()
  .trim()
  .regex(/^msg_[0-9a-f]{32}$/, 'must be a message id (msg_ + 32 hex digits)');

/** Operators only: messages that failed for good, and sending one again. */
@Controller('v1/outreach/messages')
export class FailedMessagesController {
  constructor(private readonly failed: FailedMessagesService) {}

  @Get('failed')
  @Access.people('operator')
  async list(@Query() query: unknown): Promise<{ items: MessageView[] }> {
    return { items: await this.failed.list(failedMessagesQuery.parse(query)) };
  }

  @Post(':messageId/redrive')
  @HttpCode(202)
  @Access.people('operator')
  async redrive(
    @CurrentPrincipal() caller: Principal,
    @Param('messageId') messageId: string,
  ): Promise<{ messageId: string; status: 'queued' }> {
    const id = messageIdSchema.parse(messageId);
    trace.getActiveSpan()?.setAttribute('portico.message_id', id);
    return this.failed.redrive(caller, id);
  }
}
