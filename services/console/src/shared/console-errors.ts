import { DomainError } from '@portico/service-kit';

/** Every error the console raises on purpose: a stable code, zh + en, never personal data. */
export class LoginFailedError extends DomainError {
  constructor() {
    // One answer for unknown user, wrong password and disabled account: nothing to enumerate.
    super({
      code: 'login_failed',
      status: 401,
      message: { en: 'Username or password is not correct.', zh: '用户名或密码不正确。' },
    });
  }
}

/** Too many failed sign-ins for this account or from this address: try again after `retryAfterSeconds`. */
export class LoginThrottledError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    // The same answer whether the account exists or not (the counter is kept for any typed name).
    super({
      code: 'login_throttled',
      status: 429,
      message: {
        en: `Too many failed sign-ins. Try again in ${retryAfterSeconds} seconds.`,
        zh: `登录失败次数过多，请在 ${retryAfterSeconds} 秒后重试。`,
      },
      details: { retryAfterSeconds },
    });
  }
}

export class SessionRequiredError extends DomainError {
  constructor() {
    super({
      code: 'session_required',
      status: 401,
      message: { en: 'Please sign in.', zh: '请先登录。' },
    });
  }
}

export class CsrfTokenInvalidError extends DomainError {
  constructor() {
    super({
      code: 'csrf_token_invalid',
      status: 403,
      message: {
        en: 'This request is missing its security token. Reload the page and try again.',
        zh: '请求缺少安全令牌，请刷新页面后重试。',
      },
    });
  }
}

export class UpstreamUnavailableError extends DomainError {
  constructor(service: string, cause?: unknown) {
    super({
      code: 'upstream_unavailable',
      status: 502,
      message: {
        en: 'A Portico service did not answer. Try again in a moment.',
        zh: 'Portico 服务暂时无响应，请稍后重试。',
      },
      details: { service },
      cause,
    });
  }
}

/** An upstream service's own 4xx, passed on with its code and messages (they follow the same envelope). */
export class UpstreamRefusedError extends DomainError {
  constructor(service: string, status: number, code: string, message: { en: string; zh: string }) {
    super({ code, status, message, details: { service } });
  }
}

/** The console signs with the development key (local demo): it publishes no JWKS. */
export class JwksNotConfiguredError extends DomainError {
  constructor() {
    super({
      code: 'jwks_not_configured',
      status: 404,
      message: {
        en: 'This console publishes no signing keys (CONSOLE_TOKEN_SIGNING_KEYS is not set).',
        zh: '此控制台未发布签名公钥（未设置 CONSOLE_TOKEN_SIGNING_KEYS）。',
      },
    });
  }
}
