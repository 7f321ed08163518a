import type { Agent } from 'node:https';
import webpush from 'web-push';
import { failed, retryableStatus, type Channel, type OutgoingOf, type SendResult } from './channel';

export interface WebPushSettings {
  readonly vapidSubject: string;
  readonly vapidPublicKey: string;
  readonly vapidPrivateKey: string;
  readonly timeoutMs: number;
  /** How long the push service keeps a notification for an offline browser. */
  readonly ttlSeconds: number;
  /** An https.Agent for the push services (tests: one trusting the simulator's certificate). */
  readonly agent?: Agent;
}

/**
 * Web push to the steward console (web-push: VAPID, aes128gcm payload encryption) to every browser
 * the staff member registered. "Sent" = at least one push service answered 201 (accepted); push
 * services do not confirm display, so this channel never reports "delivered". 404/410 mean the
 * browser unsubscribed: those subscriptions are handed back to be removed.
 */
export class WebPushChannel implements Channel<'web_push'> {
  readonly kind = 'web_push' as const;

  constructor(private readonly settings: WebPushSettings) {}

  async send(message: OutgoingOf<'web_push'>): Promise<SendResult> {
    if (message.to.length === 0) return failed('WEB_PUSH_NO_SUBSCRIPTION', false);
    const payload = JSON.stringify({
      title: message.content.title,
      body: message.content.body,
      path: message.content.path,
      tag: message.content.tag,
      messageId: message.messageId,
    });
    const gone: string[] = [];
    let accepted = false;
    let lastFailure: SendResult | null = null;
    for (const sub of message.to) {
      try {
        await webpush.sendNotification(
          { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
          payload,
          {
            vapidDetails: {
              subject: this.settings.vapidSubject,
              publicKey: this.settings.vapidPublicKey,
              privateKey: this.settings.vapidPrivateKey,
            },
            TTL: this.settings.ttlSeconds,
            timeout: this.settings.timeoutMs,
            urgency: 'high',
            contentEncoding: 'aes128gcm',
            ...(this.settings.agent ? { agent: this.settings.agent } : {}),
          },
        );
        // The Location header names the push service's copy: a URL of the subscription, not kept.
        accepted = true;
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        if (status === 404 || status === 410) {
          gone.push(sub.endpoint);
          lastFailure = failed('WEB_PUSH_GONE', false);
        } else if (typeof status === 'number') {
          lastFailure = failed(`WEB_PUSH_HTTP_${status}`, retryableStatus(status));
        } else {
          lastFailure = failed('WEB_PUSH_NETWORK', true);
        }
      }
    }
    if (accepted)
      return { ok: true, providerMessageId: message.messageId, delivered: false, goneEndpoints: gone };
    const f = lastFailure ?? failed('WEB_PUSH_ERROR', true);
    return { ...f, goneEndpoints: gone } as SendResult;
  }
}
