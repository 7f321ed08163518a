import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PersonTokenVerifier, type PersonPrincipal } from '@portico/auth';

export interface SimulatedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** The verified person token; null when absent or invalid (public routes decide for themselves). */
  readonly caller: PersonPrincipal | null;
}

export type SimulatedAnswer = { status: number; body: unknown } | { status: number; bytes: Buffer; type: string };

export const refusal = (status: number, code: string, en: string, zh: string): SimulatedAnswer => ({
  status,
  body: { error: { code, message: { en, zh } } },
});

/** The tenancy rule every real service applies (libs/auth canAccessTenant), for a person. */
export function personMaySee(caller: PersonPrincipal, target: { tenantId: string; propertyId?: string | null }): boolean {
  if (caller.roles.includes('operator')) return true;
  if (caller.tenantId !== target.tenantId) return false;
  return target.propertyId === undefined || target.propertyId === null || caller.propertyIds.includes(target.propertyId);
}

/** How a simulator checks the console's person tokens, like the real services' AUTH_* settings. */
export type SimulatedUpstreamKeys = { issuer: string; audience: string } & ({ devKey: string } | { jwksUrl: string });

/**
 * The HTTP plumbing of the console's SIMULATED upstream services (browser test only, not the real
 * services): one local server each, the console's bearer token verified with the verifier the real
 * services use (libs/auth), JSON in and out in the service-kit error envelope. Each simulator
 * answers only the routes the console calls, with the real controllers' shapes.
 */
export abstract class SimulatedUpstream {
  private server?: Server;
  url = '';
  private readonly verifier: PersonTokenVerifier;
  /** Every request as method + path (no query, no body), to assert what reached the service. */
  readonly requests: string[] = [];
  /** The bearer tokens presented, in order (the OIDC spec checks their header and verifies them itself). */
  readonly tokens: string[] = [];

  constructor(options: SimulatedUpstreamKeys) {
    // The development key (browser spec), or the console's published JWKS as a production service
    // fetches it through AUTH_JWKS_URL (OIDC spec: docs/adr/0006).
    const keys = 'jwksUrl' in options ? { jwksUrl: options.jwksUrl } : { devKey: options.devKey };
    this.verifier = new PersonTokenVerifier({ issuer: options.issuer, audience: options.audience, keys });
  }

  protected abstract route(req: SimulatedRequest): SimulatedAnswer | Promise<SimulatedAnswer>;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async caller(req: IncomingMessage): Promise<PersonPrincipal | null> {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return null;
    this.tokens.push(auth.slice(7));
    try {
      return await this.verifier.verify(auth.slice(7));
    } catch {
      return null;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    let answer: SimulatedAnswer;
    try {
      answer = await this.route({
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        caller: await this.caller(req),
      });
    } catch (error) {
      answer = refusal(500, 'internal', (error as Error).message, '内部错误');
    }
    if ('bytes' in answer) {
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.bytes);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }
}

export const UNAUTHENTICATED = refusal(401, 'credentials_missing', 'Credentials are missing.', '缺少凭证。');
