import { Inject, Injectable } from '@nestjs/common';
import type { Message } from '@bufbuild/protobuf';
import { injectTraceContext, type Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { ID_GENERATOR, CLOCK, type Clock, type IdGenerator } from '../shared/tokens';
import { matchesEventType } from './event-filter';
import { toWebhookPayload } from './webhook-events';
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
}

/**
 * Turns one consumed platform event into one delivery per matching enabled subscription of the
 * event's tenant, in the consumer's transaction (with the inbox row: a redelivered record adds
 * nothing, and (subscription, event id) is unique besides). Subscriptions of other tenants are never
 * even read.
 */
@Injectable()
export class WebhookFanOut {
  private readonly log: Logger;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly metrics: WebhooksMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'webhooks' });
  }

  async onEvent(m: EntityManager, consumed: ConsumedEvent): Promise<number> {
    const ownTenant = (consumed.event as unknown as { tenantId?: string }).tenantId;
    const tenantId = ownTenant || consumed.headerTenantId;
    if (!tenantId) return 0;
    const payload = toWebhookPayload(consumed.event, {
      eventId: consumed.eventId,
      tenantId,
      occurredAt: consumed.occurredAt,
    });
    if (!payload) return 0;
    const subscriptions = (await this.repository.activeSubscriptions(m, tenantId)).filter((s) =>
      matchesEventType(s.eventTypes, payload.type),
    );
    if (subscriptions.length === 0) return 0;

    const body = JSON.stringify(payload);
    const trace = injectTraceContext({});
    const traceparent = trace.traceparent ?? consumed.headers.traceparent ?? null;
    const tracestate = trace.traceparent ? (trace.tracestate ?? null) : (consumed.headers.tracestate ?? null);
    const now = this.clock();
    const rows: NewDelivery[] = subscriptions.map((s) => ({
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
    const inserted = await this.repository.insertDeliveries(m, rows);
    this.metrics.fannedOut.inc({ source: consumed.topic }, inserted);
    this.log.debug(
      {
        eventId: consumed.eventId,
        eventType: payload.type,
        parcelId: consumed.parcelId,
        deliveries: inserted,
      },
      'webhook deliveries queued',
    );
    return inserted;
  }
}
