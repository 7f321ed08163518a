import { SignedWebhookReceiver } from './signed-webhook-receiver';

/** What id-vault pushes when it relays an approved document (see its signed-https-push adapter). */
export interface RelayNotice {
  grantId: string;
  caseId: string;
  carrierCode: string;
  trackingNumber: string;
  documentId: string;
  documentType: string;
  parts: string[];
  downloadUrl: string;
  expiresAt: string;
  maxUses: number;
  purpose: string;
}

/**
 * A SIMULATED carrier endpoint for id-vault's relay push, for the demo and the cross-service tests:
 * it verifies the Standard Webhooks signature with the official package, as a carrier's receiver
 * would, keeps the notices, and fetches the watermarked copy through the grant. Not a carrier API.
 */
export class SimulatedCarrierRelay {
  private readonly receiver: SignedWebhookReceiver<{ data: RelayNotice }>;

  constructor(secret: string) {
    this.receiver = new SignedWebhookReceiver(secret);
  }

  get notices(): RelayNotice[] {
    return this.receiver.deliveries.map((d) => d.payload.data);
  }

  get rejected(): number[] {
    return this.receiver.rejected;
  }

  start(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.receiver.start('/simulated-carrier/relay', port, host);
  }

  /** Downloads one part of the relayed document through its grant (counts as one use). */
  async download(notice: RelayNotice, part = notice.parts[0]): Promise<{ status: number; bytes: Buffer }> {
    const url = new URL(notice.downloadUrl);
    if (part) url.searchParams.set('part', part);
    const res = await fetch(url);
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  stop(): Promise<void> {
    return this.receiver.stop();
  }
}
