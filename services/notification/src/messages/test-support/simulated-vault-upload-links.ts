// SimulatedVaultUploadLinks: a stand-in for id-vault's internal upload-request API in tests (not
// id-vault itself). It checks the request as services/id-vault's controller does (service caller
// `notification` with its bearer token, the strict body shape), answers 409 case_not_known_yet for
// cases it has not "seen" yet, and re-issues the same request with a fresh secret for a repeated
// idempotency key, as the vault does; a request the test closed (`closeRequest`: the resident used
// the link, or it was superseded) answers 409 upload_request_closed to its key.
import { randomBytes, randomUUID } from 'node:crypto';
import { startHttpSimulator, type RunningSimulator } from '../../channels/test-support/http-simulator';

export interface IssuedLink {
  readonly caseId: string;
  readonly requestId: string;
  readonly uploadUrl: string;
  readonly idempotencyKey: string | null;
  readonly language: string;
  readonly documents: readonly string[] | undefined;
}

const DOCUMENT_TYPES = [
  'resident_id_card',
  'passport',
  'hk_macao_travel_permit',
  'taiwan_travel_permit',
  'duty_payment_proof',
  'proof_of_value',
];

export class SimulatedVaultUploadLinks {
  readonly issued: IssuedLink[] = [];
  readonly refused: string[] = [];
  private readonly knownCases = new Set<string>();
  private readonly requests = new Map<string, string>();
  private readonly closed = new Set<string>();
  private server: RunningSimulator | null = null;
  /** What a 409 case_not_known_yet asks the caller to wait. */
  retryAfterSeconds = 1;

  constructor(private readonly serviceToken: string) {}

  get url(): string {
    return this.server!.url;
  }

  /** The vault has consumed the case's DocumentsRequested (before that: 409 case_not_known_yet). */
  knowCase(caseId: string): void {
    this.knownCases.add(caseId);
  }

  /** The request was used (documents submitted) or superseded: its key gets 409 upload_request_closed. */
  closeRequest(requestId: string): void {
    this.closed.add(requestId);
  }

  async start(): Promise<this> {
    this.server = await startHttpSimulator((req) => {
      const error = (status: number, code: string, details?: Record<string, unknown>) => {
        this.refused.push(code);
        return { status, json: { error: { code, message: { en: code, zh: code }, details } } };
      };
      if (req.method !== 'POST' || req.url.pathname !== '/internal/v1/upload-requests')
        return error(404, 'not_found');
      if (
        req.headers['x-portico-service'] !== 'notification' ||
        req.headers['authorization'] !== `Bearer ${this.serviceToken}`
      )
        return error(401, 'unauthenticated');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return error(400, 'validation_failed');
      }
      const allowed = new Set(['caseId', 'language', 'documents', 'idempotencyKey']);
      const caseId = body['caseId'];
      const language = body['language'] ?? 'zh';
      const documents = body['documents'] as string[] | undefined;
      const key = body['idempotencyKey'] as string | undefined;
      if (
        Object.keys(body).some((k) => !allowed.has(k)) ||
        typeof caseId !== 'string' ||
        caseId.length < 1 ||
        caseId.length > 64 ||
        (language !== 'zh' && language !== 'en') ||
        (documents !== undefined &&
          (!Array.isArray(documents) || documents.some((d) => !DOCUMENT_TYPES.includes(d)))) ||
        (key !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(key))
      )
        return error(400, 'validation_failed');
      if (!this.knownCases.has(caseId))
        return error(409, 'case_not_known_yet', { caseId, retryAfterSeconds: this.retryAfterSeconds });
      const known = key ? this.requests.get(`${caseId}:${key}`) : undefined;
      if (known && this.closed.has(known)) return error(409, 'upload_request_closed', { requestId: known });
      const requestId = known || `upr_${randomUUID().replace(/-/g, '')}`;
      if (key) this.requests.set(`${caseId}:${key}`, requestId);
      const uploadUrl = `${this.server!.url}/u/${randomBytes(24).toString('base64url')}`;
      this.issued.push({ caseId, requestId, uploadUrl, idempotencyKey: key ?? null, language, documents });
      return {
        status: 201,
        json: { requestId, uploadUrl, expiresAt: new Date(Date.now() + 72 * 3600_000).toISOString() },
      };
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
