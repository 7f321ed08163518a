import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request a receiver accepted: its verified payload and the headers it came with. */
export interface VerifiedDelivery<T> {
  readonly payload: T;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An HTTP endpoint that accepts only Standard Webhooks signed with its secret, verified with the
 * official `standardwebhooks` package exactly as a subscriber's receiver would: 204 and kept when
 * the signature holds, 401 (and counted in `rejected`) when not. The base of the simulated carrier
 * relay receiver and the simulated property system.
 */
export class SignedWebhookReceiver<T> {
  readonly deliveries: VerifiedDelivery<T>[] = [];
  readonly rejected: number[] = [];
  private server?: Server;
  private webhook?: Webhook;

  /** The secret may come later (a subscription's secret is only known once it is created). */
  constructor(secret?: string) {
    if (secret) this.useSecret(secret);
  }

  useSecret(secret: string): void {
    this.webhook = new Webhook(secret);
  }

  async start(path: string, port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = headerRecord(req.headers);
        try {
          if (!this.webhook) throw new Error('no secret yet');
          const payload = this.webhook.verify(Buffer.concat(chunks).toString('utf8'), headers) as T;
          this.deliveries.push({ payload, headers });
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
    return `http://${host}:${address.port}${path}`;
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
