import { Inject, Injectable } from '@nestjs/common';
import type { Message } from '@bufbuild/protobuf';
import { injectTraceContext, type Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { ID_GENERATOR, CLOCK, type Clock, type IdGenerator } from '../shared/tokens';
import { matchesEventType } from './event-filter';
import { TenantSubscriptionCache, type FanOutSubscription } from './tenant-subscription-cache';
import { toWebhookPayload, webhookTypeOf } from './webhook-events';
import { WebhooksMetrics } from './webhooks.metrics';
import { WebhooksRepository, type NewDelivery } from './webhooks.repository';

export interface ConsumedEvent {
  readonly event: Message;
  readonly eventId: string;
  /** From the record header; the event's own `tenant_id` field wins when it is set. */
  readonly headerTenantId: string;
  readonly parcelId: string;
  readonly occurredAt: Date;
  readonly topic: string;
  /** The record's W3C trace headers, used when no span is active (tracing off). */
  readonly headers: Readonly<Record<string, string>>;
  /** Runs work in the event's own trace (a batch handler is in none); absent: the active span is the event's. */
  readonly inTrace?: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * Turns each consumed platform event into one delivery per matching enabled subscription of the
 * event's tenant, in the consumer's transaction (with the inbox row: a redelivered record adds
 * nothing, and (subscription, event id) is unique besides). Subscriptions of other tenants are never
 * even read. A tenant's subscriptions come from the TenantSubscriptionCache; the insert re-checks
 * each subscription, so a cached one deleted or disabled meanwhile gets nothing.
 */
@Injectable()
export class WebhookFanOut {
  private readonly log: Logger;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly subscriptions: TenantSubscriptionCache,
    private readonly metrics: WebhooksMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'webhooks' });
  }

  async onEvent(m: EntityManager, consumed: ConsumedEvent): Promise<number> {
    return this.onEvents(m, [consumed]);
  }

  /**
   * A batch of consumed events (the transport's run of one event type): one cache lookup per tenant
   * for the whole batch (a read only on a miss) and one INSERT for all deliveries. The rows keep the
   * events' order, which is the per-parcel delivery order.
   */
  async onEvents(m: EntityManager, batch: readonly ConsumedEvent[]): Promise<number> {
    const subscriptionsOf = new Map<string, Promise<readonly FanOutSubscription[]>>();
    const rows: NewDelivery[] = [];
    const queued: Array<{ consumed: ConsumedEvent; type: string; deliveries: number }> = [];
    for (const consumed of batch) {
      const ownTenant = (consumed.event as unknown as { tenantId?: string }).tenantId;
      const tenantId = ownTenant || consumed.headerTenantId;
      const type = webhookTypeOf(consumed.event.$typeName);
      if (!tenantId || !type) continue;
      if (!subscriptionsOf.has(tenantId)) {
        const read = () => this.repository.activeSubscriptions(m, tenantId);
        subscriptionsOf.set(tenantId, this.subscriptions.subscriptionsOf(tenantId, read));
      }
      // Most tenants subscribe to nothing: their events cost no payload and no trace headers.
      const subscriptions = (await subscriptionsOf.get(tenantId)!).filter((s) =>
        matchesEventType(s.eventTypes, type),
      );
      if (subscriptions.length === 0) continue;
      const payload = toWebhookPayload(consumed.event, {
        eventId: consumed.eventId,
        tenantId,
        occurredAt: consumed.occurredAt,
      });
      if (!payload) continue;
      rows.push(...(await this.deliveriesOf(consumed, tenantId, payload, subscriptions)));
      queued.push({ consumed, type: payload.type, deliveries: subscriptions.length });
    }
    if (rows.length === 0) return 0;
    const inserted = await this.repository.insertDeliveries(m, rows);
    // what was inserted (a redelivery's rows are dropped by (subscription, event id)); a batch is a
    // run of one partition, so of one topic
    this.metrics.fannedOut.inc({ source: queued[0]!.consumed.topic }, inserted);
    for (const { consumed, type, deliveries } of queued) {
      this.log.debug(
        { eventId: consumed.eventId, eventType: type, parcelId: consumed.parcelId, deliveries },
        'webhook deliveries queued',
      );
    }
    return inserted;
  }

  private async deliveriesOf(
    consumed: ConsumedEvent,
    tenantId: string,
    payload: { type: string },
    subscriptions: readonly { id: string }[],
  ): Promise<NewDelivery[]> {
    const body = JSON.stringify(payload);
    // the event's own trace (its record's span), so the subscriber's request joins the parcel's trace
    const trace = consumed.inTrace
      ? await consumed.inTrace(async () => injectTraceContext({}))
      : injectTraceContext({});
    const traceparent = trace.traceparent ?? consumed.headers.traceparent ?? null;
    const tracestate = trace.traceparent ? (trace.tracestate ?? null) : (consumed.headers.tracestate ?? null);
    const now = this.clock();
    return subscriptions.map((s) => ({
      id: this.newId('msg'),
      subscriptionId: s.id,
      tenantId,
      eventId: consumed.eventId,
      eventType: payload.type,
      parcelId: consumed.parcelId,
      // Without a parcel there is nothing to keep in order: each delivery is its own line.
      orderingKey: consumed.parcelId || `event:${consumed.eventId}`,
      body,
      traceparent,
      tracestate,
      occurredAt: consumed.occurredAt,
      createdAt: now,
    }));
  }
}
