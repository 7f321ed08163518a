import type { AttemptFailure } from './message-rules';

export interface UploadLinkRequest {
  readonly caseId: string;
  readonly language: 'zh' | 'en';
  /** Document type names (libs/contracts DOCUMENT_TYPES). */
  readonly documents: readonly string[];
  /** The message id: a retry gets the same request (and a fresh secret for it) back. */
  readonly idempotencyKey: string;
}

/** The one-time link. `url` holds the secret: memory only, for the one send it is fetched for. */
export interface UploadLink {
  readonly requestId: string;
  readonly url: string;
  readonly expiresAt: Date;
}

export type UploadLinkResult =
  { readonly ok: true; readonly link: UploadLink } | ({ readonly ok: false } & AttemptFailure);

/** Asks id-vault for a resident's one-time upload link (port; HTTP adapter below, fakes in specs). */
export abstract class UploadLinkIssuer {
  abstract issue(request: UploadLinkRequest): Promise<UploadLinkResult>;
}

/** No id-vault configured: resident messages with a link cannot be sent (and are not planned). */
export class NoUploadLinks extends UploadLinkIssuer {
  async issue(): Promise<UploadLinkResult> {
    return { ok: false, code: 'UPLOAD_LINKS_DISABLED', retryable: false, scope: 'message' };
  }
}

/**
 * id-vault's internal API: `POST /internal/v1/upload-requests` with the notification service
 * token, answering 201 `{requestId, uploadUrl, expiresAt}`. `409 case_not_known_yet` (the vault has
 * not consumed the case yet) and 5xx are worth a retry; a closed case or closed request is not.
 * Nothing of the answer is logged: the URL is the secret.
 */
export class HttpUploadLinkIssuer extends UploadLinkIssuer {
  constructor(
    private readonly settings: {
      readonly baseUrl: string;
      readonly serviceToken: string;
      readonly timeoutMs: number;
    },
  ) {
    super();
  }

  async issue(request: UploadLinkRequest): Promise<UploadLinkResult> {
    let res: Response;
    try {
      res = await fetch(`${this.settings.baseUrl.replace(/\/$/, '')}/internal/v1/upload-requests`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portico-service': 'notification',
          authorization: `Bearer ${this.settings.serviceToken}`,
        },
        body: JSON.stringify({
          caseId: request.caseId,
          language: request.language,
          ...(request.documents.length > 0 ? { documents: request.documents } : {}),
          idempotencyKey: request.idempotencyKey,
        }),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch {
      return { ok: false, code: 'VAULT_UNREACHABLE', retryable: true, scope: 'message' };
    }
    const body = (await res.json().catch(() => null)) as {
      requestId?: string;
      uploadUrl?: string;
      expiresAt?: string;
      error?: { code?: string; details?: { retryAfterSeconds?: number } };
    } | null;
    if (res.status === 201 && body?.uploadUrl && body.requestId && body.expiresAt) {
      return {
        ok: true,
        link: { requestId: body.requestId, url: body.uploadUrl, expiresAt: new Date(body.expiresAt) },
      };
    }
    const code = body?.error?.code;
    if (res.status === 409 && code === 'case_not_known_yet') {
      const after = body?.error?.details?.retryAfterSeconds;
      return {
        ok: false,
        code: 'VAULT_CASE_NOT_KNOWN_YET',
        retryable: true,
        scope: 'message',
        ...(typeof after === 'number' ? { retryAfterMs: after * 1000 } : {}),
      };
    }
    if (res.status === 409 && (code === 'case_closed' || code === 'upload_request_closed')) {
      return { ok: false, code: `VAULT_${code.toUpperCase()}`, retryable: false, scope: 'message' };
    }
    // 401/403 are a configuration problem an operator fixes: keep the message for a retry.
    return {
      ok: false,
      code: `VAULT_HTTP_${res.status}`,
      retryable: res.status >= 500 || res.status === 401 || res.status === 403 || res.status === 429,
      scope: 'message',
    };
  }
}
