// SimulatedPushService: a SIMULATOR of a browser vendor's Web Push service (RFC 8030 + VAPID,
// RFC 8292) for tests, not a real push service. `POST /push/<id>` must carry TTL, Content-Encoding
// aes128gcm and `Authorization: vapid t=<JWT>, k=<public key>` whose ES256 JWT verifies with k and
// names this origin as `aud`, with `exp` within 24 h and a mailto:/https: `sub`. Answers 201
// Created, or 410 Gone for subscriptions told to be gone.
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { selfSignedCertificate, startHttpSimulator, type RunningSimulator } from './http-simulator';

export interface SimulatedPush {
  readonly subscriptionId: string;
  readonly ttl: number;
  readonly urgency: string;
  readonly bytes: number;
}

export class SimulatedPushService {
  readonly received: SimulatedPush[] = [];
  readonly refused: string[] = [];
  private readonly gone = new Set<string>();
  private server: RunningSimulator | null = null;
  private readonly tls = selfSignedCertificate();

  constructor(private readonly vapidPublicKey: string) {}

  /** The simulator's self-signed certificate, for the client's trust (an https.Agent's `ca`). */
  get ca(): string {
    return this.tls.cert;
  }

  /** A subscription endpoint on this service. */
  endpoint(subscriptionId: string = randomUUID()): string {
    return `${this.server!.url}/push/${subscriptionId}`;
  }

  markGone(subscriptionId: string): void {
    this.gone.add(subscriptionId);
  }

  async start(): Promise<this> {
    this.server = await startHttpSimulator(
      (req) => {
        const refuse = (status: number, why: string) => {
          this.refused.push(why);
          return { status };
        };
        const match = /^\/push\/([A-Za-z0-9-]+)$/.exec(req.url.pathname);
        if (req.method !== 'POST' || !match) return refuse(404, 'no such subscription');
        const ttl = Number(req.headers['ttl']);
        if (!Number.isInteger(ttl) || ttl < 0) return refuse(400, 'TTL header missing');
        if (req.headers['content-encoding'] !== 'aes128gcm')
          return refuse(415, 'content-encoding must be aes128gcm');
        const auth = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(
          String(req.headers['authorization'] ?? ''),
        );
        if (!auth) return refuse(401, 'vapid authorization missing');
        const [, jwt, k] = auth;
        if (k !== this.vapidPublicKey) return refuse(403, 'unknown application server key');
        if (!this.verifyJwt(jwt!, k)) return refuse(403, 'vapid JWT invalid');
        if (this.gone.has(match[1]!)) return { status: 410 };
        this.received.push({
          subscriptionId: match[1]!,
          ttl,
          urgency: String(req.headers['urgency'] ?? 'normal'),
          bytes: req.body.length,
        });
        return { status: 201, headers: { location: `${this.server!.url}/message/${randomUUID()}` } };
      },
      { tls: this.tls },
    );
    return this;
  }

  private verifyJwt(jwt: string, k: string): boolean {
    const [header, claims, signature] = jwt.split('.');
    if (!header || !claims || !signature) return false;
    const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as {
      aud?: string;
      exp?: number;
      sub?: string;
    };
    if (h.alg !== 'ES256') return false;
    if (c.aud !== new URL(this.server!.url).origin) return false;
    const now = Date.now() / 1000;
    if (!c.exp || c.exp < now || c.exp > now + 24 * 3600) return false;
    if (!c.sub || !/^(mailto:|https:)/.test(c.sub)) return false;
    const point = Buffer.from(k, 'base64url');
    if (point.length !== 65 || point[0] !== 4) return false;
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    return verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
