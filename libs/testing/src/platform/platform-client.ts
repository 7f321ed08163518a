import { parcelId } from '@portico/contracts';
import { signDevToken } from '@portico/auth';
import { signedNativeWebhook, type NativeTrackingEvent } from './native-webhook';

export interface PlatformUrls {
  carrierIngestion: string;
  clearance: string;
  notification: string;
  idVault?: string;
}

export interface PlatformAuth {
  /** AUTH_DEV_TOKEN_KEY of the services: local development, demo and tests only. */
  devTokenKey: string;
  issuer?: string;
  audience?: string;
  /**
   * notification's internal token (INTERNAL_SERVICE_TOKEN_NOTIFICATION): the demo and the tests ask
   * id-vault for the resident's upload link the way notification does.
   */
  notificationServiceToken?: string;
}

export interface UploadLink {
  requestId: string;
  uploadUrl: string;
  expiresAt: string;
}

export interface VaultDocumentView {
  id: string;
  status: string;
  sides: string[];
  [field: string]: unknown;
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

  /** An operator subscribes a tenant's property system to events; the `whsec_` secret is in this answer only. */
  async createWebhookSubscription(input: {
    tenantId: string;
    url: string;
    eventTypes: string[];
  }): Promise<{ subscriptionId: string; secret: string }> {
    const res = await this.call(`${this.urls.notification}/v1/webhooks/subscriptions`, {
      method: 'POST',
      token: await this.operatorToken(),
      body: input,
    });
    const created = (await this.json(res, 'create a webhook subscription')) as {
      subscription: { id: string };
      secret: string;
    };
    return { subscriptionId: created.subscription.id, secret: created.secret };
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

  /** notification's call: a one-time upload link for the case (its secret is in the URL, once). */
  async requestUploadLink(caseId: string, idempotencyKey?: string): Promise<UploadLink> {
    const token = this.auth.notificationServiceToken;
    if (!token) throw new Error('notificationServiceToken is needed to ask id-vault for an upload link');
    const res = await fetch(`${this.vaultUrl()}/internal/v1/upload-requests`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portico-service': 'notification',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ caseId, language: 'zh', ...(idempotencyKey ? { idempotencyKey } : {}) }),
    });
    return (await this.json(res, 'request an upload link')) as UploadLink;
  }

  /** The resident's consent on the upload page. */
  async giveConsent(link: UploadLink): Promise<void> {
    const res = await fetch(`${link.uploadUrl}/consent`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    await this.json(res, 'give consent');
  }

  /** The resident's upload of an ID card's two sides (JPEG bytes). */
  async uploadIdCard(
    link: UploadLink,
    front: Buffer,
    back: Buffer,
    typed: { idNumber?: string; name?: string; expiry?: string } = {},
  ): Promise<{ documentId: string }> {
    const form = new FormData();
    form.set('documentType', 'resident_id_card');
    for (const [field, value] of Object.entries(typed)) if (value) form.set(field, value);
    form.set('front', new Blob([front], { type: 'image/jpeg' }), 'front.jpg');
    form.set('back', new Blob([back], { type: 'image/jpeg' }), 'back.jpg');
    const res = await fetch(`${link.uploadUrl}/documents`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: form,
    });
    return (await this.json(res, 'upload documents')) as { documentId: string };
  }

  async vaultDocumentsOf(caseId: string, token: string): Promise<VaultDocumentView[]> {
    const res = await this.call(`${this.vaultUrl()}/v1/cases/${encodeURIComponent(caseId)}/documents`, {
      token,
    });
    return listOf<VaultDocumentView>(await this.json(res, 'list case documents'));
  }

  /** The steward's one click: approve (the relay to the carrier follows by itself). */
  async approveDocument(documentId: string, token: string): Promise<VaultDocumentView> {
    const res = await this.call(`${this.vaultUrl()}/v1/documents/${encodeURIComponent(documentId)}/approve`, {
      method: 'POST',
      token,
    });
    return (await this.json(res, 'approve document')) as VaultDocumentView;
  }

  private vaultUrl(): string {
    if (!this.urls.idVault) throw new Error('the id-vault URL is not configured');
    return this.urls.idVault;
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
