import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { ParsedWebhook } from '../../tracking-update';
import { WebhookAdapter, WebhookHeaders, WebhookRejectedError, headerValue } from '../webhook-adapter';
import { porticoNativeWebhook } from './portico-native.schema';

/**
 * Portico's own format, signed per Standard Webhooks: `webhook-id`, `webhook-timestamp` (5 minute
 * tolerance, enforced by the standardwebhooks library) and `webhook-signature` (`v1,<base64 HMAC>`,
 * several space-separated during the sender's rotation). Our side accepts any active account secret.
 */
export class PorticoNativeAdapter implements WebhookAdapter {
  readonly provider = 'portico-native';
  readonly contentTypes = ['application/json'];
  readonly signatureHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];
  /** A native account is one carrier's: its webhooks may only report that carrier's parcels. */
  readonly carriers = 'single';

  verify(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[]): void {
    const signed = {
      'webhook-id': headerValue(headers, 'webhook-id') ?? '',
      'webhook-timestamp': headerValue(headers, 'webhook-timestamp') ?? '',
      'webhook-signature': headerValue(headers, 'webhook-signature') ?? '',
    };
    if (!signed['webhook-id'] || !signed['webhook-timestamp'] || !signed['webhook-signature']) {
      throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'Standard Webhooks headers are missing');
    }
    let lastError: unknown;
    for (const secret of secrets) {
      try {
        new Webhook(secret).verify(rawBody, signed, { jsonParse: false });
        return;
      } catch (e) {
        lastError = e;
      }
    }
    const message = lastError instanceof Error ? lastError.message : '';
    if (lastError instanceof WebhookVerificationError && /timestamp/i.test(message)) {
      throw new WebhookRejectedError(
        'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
        'webhook-timestamp is outside the 5 minute tolerance',
      );
    }
    throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'no active secret matches webhook-signature');
  }

  parse(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook {
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new WebhookRejectedError('WEBHOOK_PAYLOAD_INVALID', 'body is not valid JSON', [
        { path: '(root)', message: 'body is not valid JSON' },
      ]);
    }
    const parsed = porticoNativeWebhook.safeParse(json);
    if (!parsed.success) {
      // Paths and messages only: never the offending values, which may be personal data.
      const issues = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join('.') || '(root)',
        message: i.message,
      }));
      const where = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      throw new WebhookRejectedError('WEBHOOK_PAYLOAD_INVALID', where, issues);
    }
    return {
      providerEventId: headerValue(headers, 'webhook-id'),
      updates: parsed.data.data.events.map((e, i) => ({
        carrierCode: e.carrier,
        trackingNumber: e.trackingNumber,
        status: e.status,
        customsHoldReason: e.customsHoldReason,
        exceptionReason: e.exceptionReason,
        location: e.location,
        occurredAt: new Date(e.occurredAt),
        estimatedDelivery: e.estimatedDelivery,
        customsDeadline: e.customsDeadline === undefined ? undefined : new Date(e.customsDeadline),
        rawCode: e.carrierStatusCode,
        rawDescription: e.description,
        recipient: e.recipient,
        shipment: e.shipment,
        sourcePath: `data.events.${i}`,
      })),
    };
  }
}
