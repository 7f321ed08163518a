import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import {
  createSubscriptionSchema,
  deliveryIdSchema,
  deliveryQuerySchema,
  listQuerySchema,
  noticesQuerySchema,
  replayRangeSchema,
  subscriptionIdSchema,
  updateSubscriptionSchema,
} from './webhook-api.schema';
import { ALL_WEBHOOK_EVENT_TYPES, PAYLOAD_VERSION } from './webhook-events';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

const READ = 'webhooks:read';
const WRITE = 'webhooks:write';

/**
 * Outbound webhook subscriptions, the delivery log and replays. Property systems call with their
 * tenant's API key (`webhooks:read` / `webhooks:write`) and only ever see their own tenant;
 * operators act on any tenant.
 */
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly subscriptions: WebhookSubscriptionsService) {}

  @Get('event-types')
  @Access.people('operator')
  @Access.propertySystem(READ)
  eventTypes() {
    return { version: PAYLOAD_VERSION, items: ALL_WEBHOOK_EVENT_TYPES };
  }

  /** The secret is in this answer only: it is stored sealed and never shown again. */
  @Post('subscriptions')
  @HttpCode(201)
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  create(@CurrentPrincipal() caller: Principal, @Body() body: unknown) {
    return this.subscriptions.create(caller, createSubscriptionSchema.parse(body));
  }

  @Get('subscriptions')
  @Access.people('operator')
  @Access.propertySystem(READ)
  async list(@CurrentPrincipal() caller: Principal, @Query() query: unknown) {
    return { items: await this.subscriptions.list(caller, listQuerySchema.parse(query).tenantId) };
  }

  @Get('subscriptions/:id')
  @Access.people('operator')
  @Access.propertySystem(READ)
  get(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return this.subscriptions.get(caller, subscription(id));
  }

  @Patch('subscriptions/:id')
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  update(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.subscriptions.update(caller, subscription(id), updateSubscriptionSchema.parse(body));
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  async remove(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<void> {
    await this.subscriptions.remove(caller, subscription(id));
  }

  @Post('subscriptions/:id/rotate-secret')
  @HttpCode(200)
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  rotate(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return this.subscriptions.rotateSecret(caller, subscription(id));
  }

  /** Re-enables a subscription disabled by hand or by the auto-disable rule. */
  @Post('subscriptions/:id/enable')
  @HttpCode(200)
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  enable(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return this.subscriptions.enable(caller, subscription(id));
  }

  @Get('subscriptions/:id/deliveries')
  @Access.people('operator')
  @Access.propertySystem(READ)
  deliveries(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Query() query: unknown) {
    const parsed = deliveryQuerySchema.parse(query);
    if (parsed.parcelId) trace.getActiveSpan()?.setAttribute('portico.parcel_id', parsed.parcelId);
    return this.subscriptions.deliveries(caller, subscription(id), parsed);
  }

  /** Queues every delivery of the subscription created in [from, to) again, with the same webhook-id. */
  @Post('subscriptions/:id/replay')
  @HttpCode(202)
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  replayRange(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.subscriptions.replayRange(caller, subscription(id), replayRangeSchema.parse(body));
  }

  @Get('deliveries/:id')
  @Access.people('operator')
  @Access.propertySystem(READ)
  delivery(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return this.subscriptions.delivery(caller, deliveryIdSchema.parse(id));
  }

  @Post('deliveries/:id/replay')
  @HttpCode(202)
  @Access.people('operator')
  @Access.propertySystem(WRITE)
  replay(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return this.subscriptions.replayDelivery(caller, deliveryIdSchema.parse(id));
  }

  @Get('notices')
  @Access.people('operator')
  @Access.propertySystem(READ)
  async notices(@CurrentPrincipal() caller: Principal, @Query() query: unknown) {
    const parsed = noticesQuerySchema.parse(query);
    const items = await this.subscriptions.notices(caller, parsed.tenantId, parsed.limit);
    return {
      items: items.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })),
    };
  }
}

function subscription(id: string): string {
  return subscriptionIdSchema.parse(id);
}
