import { context, propagation } from '@opentelemetry/api';
import { RelayAdapter, RelayDeliveryError, type RelayCopy, type RelayNotice } from './relay-adapter';
import type { DhlExpressDestination } from './relay-destination';
import { classifyDhlStatus, dhlUploadRequest, type DhlFailureReason } from './dhl-express-request';
import { fitJpegToBase64Limit } from './relay-copy-fit';

/**
 * DHL asks for at least 10 minutes between a shipment's creation and an upload, and between
 * uploads: a retry sooner could be refused as such (and a 4xx is final here).
 */
export const DHL_UPLOAD_INTERVAL_MS = 10 * 60_000;

/**
 * Relay to DHL Express through the MyDHL API's Paperless Trade upload (dhl-express-request.ts has
 * the call). DHL takes images, not links, so this adapter `carriesCopy`: RelayService hands it the
 * watermarked sides and counts the upload as the grant's one use (README, "Relay adapters").
 * Errors carry the status and a closed-set reason: DHL's error text quotes our request back.
 */
export class DhlExpressRelayAdapter extends RelayAdapter<DhlExpressDestination> {
  readonly name = 'dhl-express-mydhl';
  override readonly carriesCopy = true;

  constructor(
    private readonly timeoutMs = 30_000,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  async deliver(destination: DhlExpressDestination, notice: RelayNotice): Promise<void> {
    if (!notice.copies?.length) throw this.failure(null, 'no_copies', false);
    const images: RelayCopy[] = [];
    for (const copy of notice.copies) {
      const fitted = await fitJpegToBase64Limit(copy.bytes, destination.maxImageBase64Bytes);
      if (!fitted) throw this.failure(null, 'too_large', false);
      images.push({ part: copy.part, bytes: fitted });
    }
    const request = dhlUploadRequest(destination, notice, images, this.clock());
    propagation.inject(context.active(), request.headers);
    let res: Response;
    try {
      res = await fetch(request.url, {
        method: 'PATCH',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError';
      throw this.failure(null, timedOut ? 'timeout' : 'network', true);
    }
    // Drained for connection reuse and never read further: DHL's error detail echoes our request.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    const { reason, retryable } = classifyDhlStatus(res.status);
    throw this.failure(res.status, reason, retryable);
  }

  private failure(
    status: number | null,
    reason: DhlFailureReason | 'no_copies',
    retryable: boolean,
  ): RelayDeliveryError {
    return new RelayDeliveryError(
      this.name,
      status,
      `relay to DHL Express failed: ${reason}${status ? ` (${status})` : ''}`,
      retryable,
      reason,
      retryable ? DHL_UPLOAD_INTERVAL_MS : undefined,
    );
  }
}
