import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** One tracking update in the Portico-native webhook format (docs/webhooks/portico-native.md). */
export interface NativeTrackingEvent {
  carrier: string;
  trackingNumber: string;
  status: string;
  customsHoldReason?: string;
  exceptionReason?: string;
  occurredAt: string;
  estimatedDelivery?: string;
  customsDeadline?: string;
  location?: { country?: string; region?: string; city?: string; postalCode?: string; description?: string };
  carrierStatusCode?: string;
  description?: string;
  recipient?: { name?: string; phone?: string; postalCode?: string; addressLine?: string; unit?: string };
  shipment?: {
    originCountry?: string;
    destinationCountry?: string;
    declaredValue?: { amount: string; currency: string };
    perishable?: boolean;
  };
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

/**
 * A Portico-native webhook as a carrier sends it: the body and the Standard Webhooks headers
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`) signed with the account's `whsec_` secret.
 * The signature is made by the `standardwebhooks` reference library, not by code of ours, so a test
 * that passes proves interoperability with what carriers actually run.
 */
export function signedNativeWebhook(
  secret: string,
  events: NativeTrackingEvent[],
  options: { id?: string; timestamp?: Date } = {},
): SignedWebhook {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  const body = JSON.stringify({
    type: 'tracking.updated',
    timestamp: timestamp.toISOString(),
    data: { events },
  });
  const signature = new Webhook(secret).sign(id, timestamp, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}
