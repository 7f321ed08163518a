import { parcelId } from '@portico/contracts';
import { signDevToken } from '@portico/auth';
import { signedNativeWebhook, type NativeTrackingEvent } from './native-webhook';

export interface PlatformUrls {
  carrierIngestion: string;
  clearance: string;
  notification: string;
}

export interface PlatformAuth {
  /** AUTH_DEV_TOKEN_KEY of the services: local development, demo and tests only. */
  devTokenKey: string;
  issuer?: string;
  audience?: string;
}

export interface CarrierAccount {
  id: string;
  secret: string;
}

export class PlatformCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

/**
 * The platform's public HTTP API as an operator, a steward and a carrier use it. Shared by the
 * cross-service tests and the demo so both walk exactly the same path.
 */
export class PorticoPlatformClient {
  constructor(
    readonly urls: PlatformUrls,
    private readonly auth: PlatformAuth,
  ) {}

  async personToken(claims: {
    subject: string;
    roles: string[];
    tenantId?: string;
    propertyIds?: string[];
  }): Promise<string> {
    return signDevToken(claims, {
      key: this.auth.devTokenKey,
      issuer: this.auth.issuer ?? 'http://127.0.0.1:8080/portico-dev',
      audience: this.auth.audience ?? 'portico-api',
    });
  }

  operatorToken(): Promise<string> {
    return this.personToken({ subject: 'operator-demo', roles: ['operator'] });
  }

  async createCarrierAccount(input: {
    tenantId: string;
    carrierCode: string;
    displayName: string;
  }): Promise<CarrierAccount> {
    const res = await this.call(`${this.urls.carrierIngestion}/v1/carrier-accounts`, {
      method: 'POST',
      token: await this.operatorToken(),
      body: { ...input, provider: 'portico-native' },
    });
    return (await this.json(res, 'create carrier account')) as CarrierAccount;
  }

  async importDirectory(directory: unknown): Promise<unknown> {
    const res = await this.call(`${this.urls.notification}/v1/directory/import`, {
      method: 'POST',
      token: await this.operatorToken(),
      body: directory,
    });
    return this.json(res, 'import directory');
  }

  /** Posts signed tracking updates as the carrier would; returns the raw response. */
  async postTrackingWebhook(
    account: CarrierAccount,
    events: NativeTrackingEvent[],
    options: { id?: string; timestamp?: Date } = {},
  ): Promise<{ status: number; body: unknown; webhookId: string }> {
    const signed = signedNativeWebhook(account.secret, events, options);
    const res = await fetch(`${this.urls.carrierIngestion}/webhooks/${account.id}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      webhookId: signed.headers['webhook-id']!,
    };
  }

  async casesOf(parcel: string, token?: string): Promise<CaseView[]> {
    const res = await this.call(`${this.urls.clearance}/v1/cases?parcelId=${encodeURIComponent(parcel)}`, {
      token: token ?? (await this.operatorToken()),
    });
    return listOf<CaseView>(await this.json(res, 'list cases'));
  }

  async tasksOf(parcel: string, token?: string): Promise<TaskView[]> {
    const res = await this.call(
      `${this.urls.notification}/v1/outreach/tasks?parcelId=${encodeURIComponent(parcel)}`,
      { token: token ?? (await this.operatorToken()) },
    );
    return listOf<TaskView>(await this.json(res, 'list outreach tasks'));
  }

  static parcelIdOf(carrierCode: string, trackingNumber: string): string {
    return parcelId(carrierCode, trackingNumber);
  }

  private async call(
    url: string,
    options: { method?: string; token?: string; body?: unknown },
  ): Promise<Response> {
    return fetch(url, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
  }

  private async json(res: Response, what: string): Promise<unknown> {
    const text = await res.text();
    if (!res.ok) throw new PlatformCallError(res.status, text, what);
    return text ? JSON.parse(text) : undefined;
  }
}

export interface CaseView {
  id: string;
  parcelId: string;
  state: string;
  deadline?: string;
  expedited?: boolean;
  [field: string]: unknown;
}

export interface TaskView {
  id: string;
  parcelId: string;
  caseId: string;
  stewardId: string;
  state: string;
  [field: string]: unknown;
}

/** List endpoints answer either a bare array or `{ items: [...] }`. */
function listOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const items = (body as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? (items as T[]) : [];
}
