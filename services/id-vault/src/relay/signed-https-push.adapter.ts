import { context, propagation } from '@opentelemetry/api';
import { Webhook } from 'standardwebhooks';
import { RelayAdapter, RelayDeliveryError, type RelayNotice } from './relay-adapter';
import type { PushDestination } from './relay-destination';

/**
 * The generic relay: a JSON notice POSTed to the destination, signed per Standard Webhooks
 * (`webhook-id` = the grant id, so a retried push is recognisable as the same one), with a
 * `traceparent` so the carrier's own trace can join ours.
 */
export class SignedHttpsPushAdapter extends RelayAdapter<PushDestination> {
  readonly name = 'signed-https-push';

  constructor(
    private readonly timeoutMs = 5_000,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  async deliver(destination: PushDestination, notice: RelayNotice): Promise<void> {
    const body = JSON.stringify({
      type: 'document.relayed',
      data: {
        grantId: notice.grantId,
        caseId: notice.caseId,
        carrierCode: notice.carrierCode,
        trackingNumber: notice.trackingNumber,
        documentId: notice.documentId,
        documentType: notice.documentType,
        parts: notice.parts,
        downloadUrl: notice.downloadUrl,
        expiresAt: notice.expiresAt.toISOString(),
        maxUses: notice.maxUses,
        purpose: notice.purpose,
      },
    });
    const sentAt = this.clock();
    const signature = new Webhook(destination.secret).sign(notice.grantId, sentAt, body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': notice.grantId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signature,
    };
    propagation.inject(context.active(), headers);
    let res: Response;
    try {
      res = await fetch(destination.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      throw new RelayDeliveryError(this.name, null, `relay push failed: ${(e as Error).name}`);
    }
    // Drain the body so the connection can be reused; its content is not ours to log.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new RelayDeliveryError(this.name, res.status, `relay push answered ${res.status}`);
  }
}
