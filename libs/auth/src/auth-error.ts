import { HttpException } from '@nestjs/common';

/**
 * Every reason a request can be turned away. Codes are stable and machine-readable; messages are
 * fixed text in English and Chinese. Nothing the caller presented (token, key, header value) is
 * ever part of a message, so errors are safe to log and to return.
 */
export const AUTH_ERRORS = {
  credentials_missing: {
    status: 401,
    en: 'Authentication is required: send an Authorization: Bearer header.',
    zh: '需要身份验证：请在请求头中提供 Authorization: Bearer 凭证。',
  },
  credentials_invalid: {
    status: 401,
    en: 'The credentials are not valid.',
    zh: '凭证无效。',
  },
  token_expired: { status: 401, en: 'The access token has expired.', zh: '访问令牌已过期。' },
  token_not_yet_valid: {
    status: 401,
    en: 'The access token is not valid yet.',
    zh: '访问令牌尚未生效。',
  },
  token_issuer_mismatch: {
    status: 401,
    en: 'The access token was issued by an identity provider this service does not trust.',
    zh: '访问令牌的签发方不受本服务信任。',
  },
  token_audience_mismatch: {
    status: 401,
    en: 'The access token was not issued for this API.',
    zh: '访问令牌不是为本接口签发的。',
  },
  token_invalid: { status: 401, en: 'The access token is not valid.', zh: '访问令牌无效。' },
  api_key_invalid: { status: 401, en: 'The API key is not valid.', zh: 'API 密钥无效。' },
  api_key_revoked: { status: 401, en: 'The API key has been revoked.', zh: 'API 密钥已被吊销。' },
  api_key_expired: { status: 401, en: 'The API key has expired.', zh: 'API 密钥已过期。' },
  service_token_invalid: {
    status: 401,
    en: 'The internal service credentials are not valid.',
    zh: '内部服务凭证无效。',
  },
  method_not_configured: {
    status: 401,
    en: 'This kind of credential is not accepted by this service.',
    zh: '本服务不接受此类凭证。',
  },
  missing_role: {
    status: 403,
    en: 'Your account has no Portico role.',
    zh: '您的账号没有 Portico 角色。',
  },
  missing_tenant: {
    status: 403,
    en: 'Your account is not assigned to a tenant.',
    zh: '您的账号未分配租户。',
  },
  forbidden: {
    status: 403,
    en: 'You are not allowed to call this endpoint.',
    zh: '您无权调用此接口。',
  },
  scope_missing: {
    status: 403,
    en: 'The API key lacks a scope this endpoint requires.',
    zh: 'API 密钥缺少此接口所需的权限范围。',
  },
  tenant_mismatch: {
    status: 403,
    en: 'You are not allowed to access data of this tenant or property.',
    zh: '您无权访问该租户或物业的数据。',
  },
  access_undeclared: {
    status: 403,
    en: 'This endpoint does not declare who may call it, so nobody may.',
    zh: '此接口未声明调用权限，因此拒绝所有调用。',
  },
  unavailable: {
    status: 503,
    en: 'Credentials cannot be checked right now; try again shortly.',
    zh: '暂时无法验证凭证，请稍后重试。',
  },
} as const satisfies Record<string, { status: 401 | 403 | 503; en: string; zh: string }>;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/**
 * The same envelope as service-kit's DomainError responses, so clients parse one error shape:
 * `{ "error": { "code": "token_expired", "message": { "en": "…", "zh": "…" } } }`.
 */
export interface AuthErrorBody {
  readonly error: {
    readonly code: AuthErrorCode;
    readonly message: { readonly en: string; readonly zh: string };
  };
}

/**
 * An HttpException, so Nest answers it correctly with or without a global filter. It also carries
 * `code` and `localized` like DomainError (status via getStatus()), so a filter can treat both alike.
 */
export class AuthError extends HttpException {
  readonly code: AuthErrorCode;
  readonly localized: { readonly en: string; readonly zh: string };

  constructor(code: AuthErrorCode, options?: { cause?: unknown }) {
    const def = AUTH_ERRORS[code];
    const localized = { en: def.en, zh: def.zh };
    const body: AuthErrorBody = { error: { code, message: localized } };
    // The cause stays server-side (for logs); HttpException never serialises it into the response.
    super(body, def.status, options?.cause === undefined ? undefined : { cause: options.cause });
    this.message = def.en;
    this.code = code;
    this.localized = localized;
    this.name = 'AuthError';
  }

  override getResponse(): AuthErrorBody {
    return super.getResponse() as AuthErrorBody;
  }
}
