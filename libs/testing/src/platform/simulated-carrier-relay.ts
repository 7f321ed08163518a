import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

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
  readonly notices: RelayNotice[] = [];
  readonly rejected: number[] = [];
  private server?: Server;

  constructor(private readonly secret: string) {}

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const webhook = new Webhook(this.secret);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = Buffer.concat(chunks).toString('utf8');
          const payload = webhook.verify(body, headerRecord(req.headers)) as { data: RelayNotice };
          this.notices.push(payload.data);
          res.writeHead(204).end();
        } catch {
          this.rejected.push(Date.now());
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}/simulated-carrier/relay`;
  }

  /** Downloads one part of the relayed document through its grant (counts as one use). */
  async download(notice: RelayNotice, part = notice.parts[0]): Promise<{ status: number; bytes: Buffer }> {
    const url = new URL(notice.downloadUrl);
    if (part) url.searchParams.set('part', part);
    const res = await fetch(url);
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise((resolve) => this.server!.close(resolve));
    this.server = undefined;
  }
}

function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') out[name] = value;
  return out;
}
