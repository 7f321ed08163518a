import type { Message } from '@bufbuild/protobuf';
import { Ctx, Payload } from '@nestjs/microservices';
import { EventBatchPattern, EventConsumer, type EventBatchContext } from '@portico/messaging';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';
import { WebhookFanOut } from './webhook-fan-out';

/**
 * `clearance.case.v1` and `notification.outreach.v1`: every event property systems may subscribe to
 * is fanned out to their subscriptions. The handlers are generated from the event catalogue (one
 * `@EventBatchPattern` per protobuf event type, see the loop below) rather than written out 23
 * times. Batch handlers: a run of one type (e.g. the many HoldPredicted of a busy hour) costs one
 * INSERT, and a subscription read per tenant only when the tenant's cached list is missing or
 * stale (TenantSubscriptionCache). Other features of notification handle some of the
 * same events; the transport runs every handler of a run in one transaction, so the fan-out commits
 * (or retries) with them.
 */
@EventConsumer()
export class WebhooksConsumer {
  constructor(private readonly fanOut: WebhookFanOut) {}

  async onWebhookSourceEvents(events: Message[], batch: EventBatchContext): Promise<void> {
    await this.fanOut.onEvents(
      batch.manager,
      events.map((event, i) => {
        const ctx = batch.contexts[i]!;
        return {
          event,
          eventId: ctx.eventId,
          headerTenantId: ctx.tenantId,
          parcelId: ctx.parcelId,
          occurredAt: ctx.occurredAt,
          topic: ctx.topic,
          headers: ctx.headers,
          inTrace: (work) => ctx.inTrace(work),
        };
      }),
    );
  }
}

for (const protoType of Object.keys(WEBHOOK_EVENT_TYPES)) {
  const name = `on${protoType.slice(protoType.lastIndexOf('.') + 1)}`;
  const handler = function (this: WebhooksConsumer, events: Message[], batch: EventBatchContext) {
    return this.onWebhookSourceEvents(events, batch);
  };
  Object.defineProperty(handler, 'name', { value: name });
  Object.defineProperty(WebhooksConsumer.prototype, name, {
    value: handler,
    writable: true,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(WebhooksConsumer.prototype, name)!;
  EventBatchPattern(protoType)(WebhooksConsumer.prototype, name, descriptor);
  // What `@Payload() events, @Ctx() batch` on a written-out method would declare.
  Payload()(WebhooksConsumer.prototype, name, 0);
  Ctx()(WebhooksConsumer.prototype, name, 1);
}
