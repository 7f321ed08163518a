import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConsoleConfig } from '../config';
import type { Session } from '../sessions/session';
import { ConsoleMetrics } from '../shared/console-metrics';
import { UpstreamRefusedError, UpstreamUnavailableError } from '../shared/console-errors';
import { CONSOLE_CONFIG } from '../shared/tokens';
import { UPSTREAM_CREDENTIALS, type UpstreamCredentials } from './upstream-credentials';

export type UpstreamService = 'notification' | 'id-vault' | 'clearance' | 'claims' | 'carrier-ingestion';

interface Envelope {
  error?: { code?: unknown; message?: { en?: unknown; zh?: unknown } };
}

/**
 * Server-side calls to the other services as the signed-in person. Their 4xx answers (same
 * service-kit envelope) are passed on as they are; anything else becomes 502 upstream_unavailable.
 * Only service names, paths without query and statuses are logged (queries may hold search terms).
 */
@Injectable()
export class UpstreamClient {
  private readonly logger = new Logger('upstream');

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    @Inject(UPSTREAM_CREDENTIALS) private readonly credentials: UpstreamCredentials,
    private readonly metrics: ConsoleMetrics,
  ) {}

  private baseUrl(service: UpstreamService): string {
    if (service === 'notification') return this.config.notificationUrl;
    if (service === 'id-vault') return this.config.vaultUrl;
    if (service === 'claims') return this.config.claimsUrl;
    if (service === 'carrier-ingestion') return this.config.carrierIngestionUrl;
    return this.config.clearanceUrl;
  }

  async json<T>(session: Session, service: UpstreamService, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.send(session, service, method, path, body, headers);
    return (await res.json()) as T;
  }

  /**
   * A call made for someone without a session: the resident's status page, whose one-time token is
   * the only credential and is passed on as the resident's own bearer (never one the console mints).
   */
  async publicJson<T>(service: UpstreamService, path: string, headers: Record<string, string>): Promise<T> {
    const res = await this.request(undefined, service, 'GET', path, undefined, headers);
    return (await res.json()) as T;
  }

  /**
   * A call as the console itself (service `console`, its INTERNAL_SERVICE_TOKEN), for internal APIs
   * that know nothing of people (carrier-ingestion's tracking history). The caller must have checked
   * that the signed-in person may see what it asks for: the upstream cannot.
   */
  async asConsole<T>(service: 'carrier-ingestion', path: string): Promise<T> {
    const res = await this.request(this.config.internalToken, service, 'GET', path, undefined, { 'x-portico-service': 'console' });
    return (await res.json()) as T;
  }

  /** The raw answer (2xx only), for bytes the console streams on (document views). */
  async send(
    session: Session,
    service: UpstreamService,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(await this.credentials.bearerFor(session), service, method, path, body, headers);
  }

  private async request(
    bearer: string | undefined,
    service: UpstreamService,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Response> {
    const started = performance.now();
    const observe = (outcome: string) =>
      this.metrics.upstreamSeconds.observe({ service, outcome }, (performance.now() - started) / 1000);
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl(service)}${path}`, {
        method,
        headers: {
          ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.upstreamTimeoutMs),
      });
    } catch (error) {
      observe('unreachable');
      this.logger.warn({ service, path: path.split('?')[0], err: (error as Error).name }, 'upstream unreachable');
      throw new UpstreamUnavailableError(service, error);
    }
    if (res.ok) {
      observe('ok');
      return res;
    }
    const envelope = (await res.json().catch(() => ({}))) as Envelope;
    const e = envelope.error;
    if (res.status >= 400 && res.status < 500 && typeof e?.code === 'string') {
      observe('refused');
      throw new UpstreamRefusedError(service, res.status, e.code, {
        en: typeof e.message?.en === 'string' ? e.message.en : e.code,
        zh: typeof e.message?.zh === 'string' ? e.message.zh : e.code,
      });
    }
    observe('failed');
    this.logger.warn({ service, path: path.split('?')[0], status: res.status }, 'upstream failed');
    throw new UpstreamUnavailableError(service);
  }
}
