import { SignedWebhookReceiver, type VerifiedDelivery } from './signed-webhook-receiver';

/** The envelope of notification's outbound webhooks (services/notification/src/webhooks). */
export interface PropertySystemEvent {
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown> & { parcel?: { parcelId?: string } };
}

/**
 * A SIMULATED property system subscribed to a tenant's events, for the cross-service tests and the
 * demo: it verifies every delivery's Standard Webhooks signature with the official package (the
 * subscription's `whsec_` secret, known once the subscription is created) and keeps the events
 * with their headers (`webhook-id`, `traceparent`, …). Not a real property management system.
 */
export class SimulatedPropertySystem {
  private readonly receiver = new SignedWebhookReceiver<PropertySystemEvent>();

  get deliveries(): VerifiedDelivery<PropertySystemEvent>[] {
    return this.receiver.deliveries;
  }

  get rejected(): number[] {
    return this.receiver.rejected;
  }

  /** Events about one parcel, in the order they arrived. */
  eventsOf(parcelId: string): VerifiedDelivery<PropertySystemEvent>[] {
    return this.deliveries.filter((d) => d.payload.data.parcel?.parcelId === parcelId);
  }

  start(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.receiver.start('/simulated-property-system/portico-events', port, host);
  }

  useSecret(secret: string): void {
    this.receiver.useSecret(secret);
  }

  stop(): Promise<void> {
    return this.receiver.stop();
  }
}
