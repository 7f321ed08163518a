import { DomainError } from '@portico/service-kit';

/**
 * Why an OIDC sign-in did not end in a session. The callback is a browser navigation, so these are
 * answered as a small zh + en page (oidc-error-page.ts) carrying the code, not as JSON. Messages
 * never repeat what the provider or the browser sent.
 */
export const OIDC_REFUSALS = {
  oidc_not_configured: {
    status: 404,
    en: 'Sign-in through an identity provider is not set up for this console.',
    zh: '此控制台未配置统一身份认证登录。',
  },
  oidc_login_expired: {
    status: 400,
    en: 'This sign-in attempt has expired or was already used. Start again from the sign-in page.',
    zh: '本次登录已过期或已使用，请从登录页重新开始。',
  },
  oidc_state_mismatch: {
    status: 400,
    en: 'This sign-in answer does not belong to the sign-in this browser started. Start again from the sign-in page.',
    zh: '该登录响应与本浏览器发起的登录不符，请从登录页重新开始。',
  },
  oidc_provider_refused: {
    status: 401,
    en: 'The identity provider did not confirm this sign-in. Start again from the sign-in page.',
    zh: '身份认证服务未确认本次登录，请从登录页重新开始。',
  },
  oidc_token_invalid: {
    status: 401,
    en: "The identity provider's answer failed its checks. Start again from the sign-in page.",
    zh: '身份认证服务的响应未通过校验，请从登录页重新开始。',
  },
  oidc_account_not_mapped: {
    status: 403,
    en: 'You signed in, but no Portico console access is set up for you. Ask your property manager or Portico operations to add you.',
    zh: '您已通过身份认证，但尚未开通 Portico 控制台权限。请联系物业经理或 Portico 运营人员为您开通。',
  },
  oidc_provider_unavailable: {
    status: 502,
    en: 'The identity provider did not answer. Try again in a moment.',
    zh: '身份认证服务暂时无响应，请稍后重试。',
  },
} as const;

export type OidcRefusalCode = keyof typeof OIDC_REFUSALS;

export class OidcLoginError extends DomainError {
  declare readonly code: OidcRefusalCode;

  constructor(code: OidcRefusalCode, cause?: unknown) {
    const { status, en, zh } = OIDC_REFUSALS[code];
    super({ code, status, message: { en, zh }, cause });
  }
}
