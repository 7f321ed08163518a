import { Webhook } from 'standardwebhooks';

/** The headers Standard Webhooks defines, for one attempt of one delivery. */
export interface SignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * Signs with the reference `standardwebhooks` implementation, once per valid secret: during a
 * rotation's overlap the header carries both `v1,` signatures (space-separated) and subscribers that
 * still verify with the old secret keep accepting. `webhook-id` is the delivery's id, the same on
 * every retry and replay (subscribers deduplicate on it); the timestamp is the attempt's, since
 * receivers reject old timestamps (replay protection).
 */
export function signDelivery(
  signers: readonly Webhook[],
  deliveryId: string,
  at: Date,
  body: string,
): SignatureHeaders {
  if (signers.length === 0) throw new Error('a delivery needs at least one signing secret');
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signers.map((s) => s.sign(deliveryId, at, body)).join(' '),
  };
}
