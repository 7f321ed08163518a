import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { MessageView } from '@portico/contracts';
import { z } from 'zod';
import { failedMessagesQuery, parseBulkRedriveFilter } from './failed-messages';
import { FailedMessagesService, type BulkRedriveAnswer, type RedriveAnswer } from './failed-messages.service';

const messageIdSchema = z
  .string()
  .trim()
  .regex(/^msg_[0-9a-f]{32}$/, 'must be a message id (msg_ + 32 hex digits)');

/** Operators only: messages that failed for good, and sending one (or a filtered batch) again. */
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
  ): Promise<RedriveAnswer> {
    const id = messageIdSchema.parse(messageId);
    trace.getActiveSpan()?.setAttribute('portico.message_id', id);
    return this.failed.redrive(caller, id);
  }

  /** A filtered batch of one tenant's failed messages (`BULK_REDRIVE_MAX` at most per call). */
  @Post('redrive')
  @HttpCode(202)
  @Access.people('operator')
  async redriveMany(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
  ): Promise<BulkRedriveAnswer> {
    return this.failed.redriveMany(caller, parseBulkRedriveFilter(body));
  }
}
