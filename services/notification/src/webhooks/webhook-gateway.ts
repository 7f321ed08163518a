import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isAddressAllowed, type TargetPolicy } from './webhook-target';

export interface OutboundWebhook {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Aborts the attempt (the worker is stopping); the outcome is then `aborted`. */
  readonly signal?: AbortSignal;
}

/**
 * What one attempt came to. `errorCode` is a closed vocabulary (never a message that could quote a
 * URL or a response): `http_status` (answered, not 2xx), `timeout`, `aborted`, `dns_failed`,
 * `address_not_allowed`, `connection_refused`, `connection_reset`, `tls_failed`, `network_error`.
 */
export interface AttemptOutcome {
  readonly succeeded: boolean;
  readonly statusCode: number | null;
  readonly errorCode: string | null;
  readonly durationMs: number;
}

/** The HTTP boundary of the worker (a fake replaces it in unit specs). */
export abstract class WebhookGateway {
  abstract send(request: OutboundWebhook): Promise<AttemptOutcome>;
  abstract close(): void;
}

class AttemptError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * node:http(s) with keep-alive agents (one connection pool per subscriber origin, reused across
 * deliveries: TLS and TCP set-up dominate otherwise). Redirects are not followed (a redirect to an
 * internal address would get around the target policy). Every address a name resolves to is checked
 * against the policy at connection time, so a name that resolves to 127.0.0.1 tomorrow is refused
 * tomorrow. Response bodies are read and thrown away, never stored or logged.
 */
export class HttpWebhookGateway extends WebhookGateway {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(private readonly policy: TargetPolicy) {
    super();
    const lookup = guardedLookup(policy);
    const options = { keepAlive: true, maxSockets: 256, scheduling: 'lifo' as const, lookup };
    this.httpAgent = new HttpAgent(options);
    this.httpsAgent = new HttpsAgent(options);
  }

  send(request: OutboundWebhook): Promise<AttemptOutcome> {
    const started = performance.now();
    const finish = (statusCode: number | null, errorCode: string | null): AttemptOutcome => ({
      succeeded: errorCode === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
      statusCode,
      errorCode,
      durationMs: performance.now() - started,
    });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve(finish(null, 'network_error'));
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal address never goes through the lookup: check it here.
    if (isIP(host) !== 0 && !isAddressAllowed(host, this.policy)) {
      return Promise.resolve(finish(null, 'address_not_allowed'));
    }
    if (request.signal?.aborted) return Promise.resolve(finish(null, 'aborted'));

    return new Promise<AttemptOutcome>((resolve) => {
      let settled = false;
      const done = (statusCode: number | null, errorCode: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        resolve(finish(statusCode, errorCode));
      };
      const body = Buffer.from(request.body, 'utf8');
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req: ClientRequest = send(url, {
        method: 'POST',
        agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        headers: { ...request.headers, 'content-length': String(body.length) },
      });
      const timer = setTimeout(() => req.destroy(new AttemptError('timeout')), request.timeoutMs);
      const onAbort = () => req.destroy(new AttemptError('aborted'));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? null;
        res.on('error', () =>
          done(status, status !== null && status >= 200 && status < 300 ? null : 'http_status'),
        );
        res.on('end', () =>
          done(status, status !== null && status >= 200 && status < 300 ? null : 'http_status'),
        );
        res.resume();
      });
      req.on('error', (error) => done(null, errorCodeOf(error)));
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function errorCodeOf(error: unknown): string {
  if (error instanceof AttemptError) return error.code;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'EADDRNOTALLOWED') return 'address_not_allowed';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'dns_failed';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection_reset';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|DEPTH_ZERO/.test(code)) {
    return 'tls_failed';
  }
  return 'network_error';
}

/** dns.lookup that refuses the whole name when any of its addresses is not allowed. */
function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      if (addresses.length === 0 || addresses.some((a) => !isAddressAllowed(a.address, policy))) {
        const refused = Object.assign(new Error('address not allowed'), { code: 'EADDRNOTALLOWED' });
        return callback(refused, '', 0);
      }
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      }
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
