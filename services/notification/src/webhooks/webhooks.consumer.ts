import type { Message } from '@bufbuild/protobuf';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventConsumer, type EventContext } from '@portico/messaging';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';
import { WebhookFanOut } from './webhook-fan-out';

/**
 * `clearance.case.v1` and `notification.outreach.v1`: every event property systems may subscribe to
 * is fanned out to their subscriptions. The handlers are generated from the event catalogue (one
 * `@EventPattern` per protobuf event type, see the loop below) rather than written out 23 times.
 * Other features of notification handle some of the same events; the transport runs every handler
 * of an event in one transaction, so the fan-out commits (or retries) with them.
 */
@EventConsumer()
export class WebhooksConsumer {
  constructor(private readonly fanOut: WebhookFanOut) {}

  async onWebhookSourceEvent(event: Message, ctx: EventContext): Promise<void> {
    await this.fanOut.onEvent(ctx.manager, {
      event,
      eventId: ctx.eventId,
      headerTenantId: ctx.tenantId,
      parcelId: ctx.parcelId,
      occurredAt: ctx.occurredAt,
      topic: ctx.topic,
      headers: ctx.headers,
    });
  }
}

for (const protoType of Object.keys(WEBHOOK_EVENT_TYPES)) {
  const name = `on${protoType.slice(protoType.lastIndexOf('.') + 1)}`;
  const handler = function (this: WebhooksConsumer, event: Message, ctx: EventContext) {
    return this.onWebhookSourceEvent(event, ctx);
  };
  Object.defineProperty(handler, 'name', { value: name });
  Object.defineProperty(WebhooksConsumer.prototype, name, {
    value: handler,
    writable: true,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(WebhooksConsumer.prototype, name)!;
  EventPattern(protoType)(WebhooksConsumer.prototype, name, descriptor);
  // What `@Payload() event, @Ctx() ctx` on a written-out method would declare.
  Payload()(WebhooksConsumer.prototype, name, 0);
  Ctx()(WebhooksConsumer.prototype, name, 1);
}
