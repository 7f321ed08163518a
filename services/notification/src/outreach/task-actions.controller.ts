import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, AuthError, CurrentPrincipal, type PersonPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { REUPLOAD_REASONS } from '../messages/follow-up-rules';
import { CONTACT_CHANNELS } from './outreach-events';
import { TaskActionsService, type ActionResult, type ActionView } from './task-actions.service';

const taskIdSchema = z.string().trim().min(1).max(100);
const idempotencyKeySchema = z.string().trim().min(1).max(200).optional();
const contactedSchema = z.object({ channel: z.enum(CONTACT_CHANNELS) }).strict();
const handOverSchema = z.object({ toStaffId: z.string().trim().min(1).max(100) }).strict();
const resendSchema = z.object({ channel: z.enum(['sms', 'email']).optional() }).strict();
const reuploadSchema = z
  .object({
    reason: z.enum(REUPLOAD_REASONS),
    // The steward's own words to the resident: sent, never logged or put on the action row.
    note: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((b) => b.reason !== 'other' || b.note !== undefined, {
    path: ['note'],
    message: 'a note is required when the reason is other',
  });

/**
 * Steward actions on an outreach task. Callers: the property's stewards and managers, and
 * operators; a task they may not see answers 404. `Idempotency-Key` makes a retried click safe.
 */
@Controller('v1/outreach/tasks/:taskId')
export class TaskActionsController {
  constructor(private readonly actions: TaskActionsService) {}

  @Post('acknowledge')
  @HttpCode(200)
  @Access.people('steward', 'manager', 'operator')
  acknowledge(@CurrentPrincipal() caller: Principal, @Param('taskId') taskId: string): Promise<ActionResult> {
    return this.actions.acknowledge(person(caller), task(taskId));
  }

  @Post('contacted')
  @HttpCode(200)
  @Access.people('steward', 'manager', 'operator')
  contacted(
    @CurrentPrincipal() caller: Principal,
    @Param('taskId') taskId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<ActionResult> {
    const { channel } = contactedSchema.parse(body);
    return this.actions.markContacted(
      person(caller),
      task(taskId),
      channel,
      idempotencyKeySchema.parse(key) ?? null,
    );
  }

  @Post('handover')
  @HttpCode(200)
  @Access.people('steward', 'manager', 'operator')
  handOver(
    @CurrentPrincipal() caller: Principal,
    @Param('taskId') taskId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<ActionResult> {
    const { toStaffId } = handOverSchema.parse(body);
    return this.actions.handOver(
      person(caller),
      task(taskId),
      toStaffId,
      idempotencyKeySchema.parse(key) ?? null,
    );
  }

  /** The resident's message again, on `channel` first or their own order; 429 resident_rate_limited over the limits. */
  @Post('resend')
  @HttpCode(200)
  @Access.people('steward', 'manager', 'operator')
  resend(
    @CurrentPrincipal() caller: Principal,
    @Param('taskId') taskId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<ActionResult> {
    const { channel } = resendSchema.parse(body ?? {});
    return this.actions.resend(
      person(caller),
      task(taskId),
      channel ?? null,
      idempotencyKeySchema.parse(key) ?? null,
    );
  }

  /** Asks the resident for new photos with a reason (and the steward's note); see README for the vault's part. */
  @Post('request-reupload')
  @HttpCode(200)
  @Access.people('steward', 'manager', 'operator')
  requestReupload(
    @CurrentPrincipal() caller: Principal,
    @Param('taskId') taskId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<ActionResult> {
    const { reason, note } = reuploadSchema.parse(body);
    return this.actions.requestReupload(
      person(caller),
      task(taskId),
      { reason, note: note ?? null },
      idempotencyKeySchema.parse(key) ?? null,
    );
  }

  /** Everything people and timers did with the task, oldest first (the steward-effort timeline). */
  @Get('actions')
  @Access.people('steward', 'manager', 'operator')
  async history(
    @CurrentPrincipal() caller: Principal,
    @Param('taskId') taskId: string,
  ): Promise<{ items: ActionView[] }> {
    return { items: await this.actions.history(person(caller), task(taskId)) };
  }
}

function task(taskId: string): string {
  const id = taskIdSchema.parse(taskId);
  trace.getActiveSpan()?.setAttribute('portico.outreach.task_id', id);
  return id;
}

function person(caller: Principal): PersonPrincipal {
  if (caller.kind !== 'person') throw new AuthError('forbidden');
  return caller;
}
