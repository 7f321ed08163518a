// SIMULATED carrier claims API for tests (and nothing else): a local HTTP server in the shape
// ApiCarrierClaims speaks (after EasyPost's Claims API: /v2/claims with statuses submitted ->
// in_review -> approved / partially_approved / rejected / cancelled, plus Portico's /v2/inquiries).
// Each status poll of a claim moves it one step along `claimScript`; each inquiry poll answers
// with `inquiryAnswer`. Every request is recorded (path, auth header, body) for assertions.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly body: unknown;
}

export class SimulatedCarrierClaimsApi {
  readonly requests: SimulatedRequest[] = [];
  readonly apiKey = `sim_${randomBytes(8).toString('hex')}`;
  claimScript: Array<{ status: string; approved_amount?: string }> = [
    { status: 'in_review' },
    { status: 'approved', approved_amount: '1280.00' },
  ];
  inquiryAnswer = 'not_located';
  private readonly claims = new Map<string, { polls: number; currency: string }>();
  private server!: Server;
  url = '';

  static async start(): Promise<SimulatedCarrierClaimsApi> {
    const api = new SimulatedCarrierClaimsApi();
    api.server = createServer((req, res) => {
      void api.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    return api;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const path = req.url ?? '';
    this.requests.push({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization ?? '',
      body,
    });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`) {
      return { status: 401, body: { error: 'unauthorized' } };
    }
    if (req.method === 'POST' && path === '/v2/inquiries')
      return { status: 201, body: { id: `sim_inq_${randomBytes(4).toString('hex')}`, status: 'open' } };
    const inquiry = path.match(/^\/v2\/inquiries\/([\w-]+)$/);
    if (req.method === 'GET' && inquiry)
      return { status: 200, body: { id: inquiry[1], status: 'answered', outcome: this.inquiryAnswer } };
    if (req.method === 'POST' && path === '/v2/claims') {
      const id = `sim_clm_${randomBytes(4).toString('hex')}`;
      this.claims.set(id, { polls: 0, currency: String(body?.['currency'] ?? 'CNY') });
      return { status: 201, body: { id, status: 'submitted', messages: [] } };
    }
    const claim = path.match(/^\/v2\/claims\/([\w-]+)$/);
    if (req.method === 'GET' && claim && this.claims.has(claim[1]!)) {
      const state = this.claims.get(claim[1]!)!;
      const step = this.claimScript[Math.min(state.polls, this.claimScript.length - 1)]!;
      state.polls += 1;
      return {
        status: 200,
        body: {
          id: claim[1],
          ...step,
          currency: state.currency,
          messages: [
            {
              id: 'msg_1',
              author: 'carrier',
              body: 'We are reviewing your claim.',
              created_at: new Date().toISOString(),
            },
          ],
        },
      };
    }
    return { status: 404, body: { error: 'not_found' } };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
