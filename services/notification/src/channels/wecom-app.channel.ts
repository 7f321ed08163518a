import {
  failed,
  fetchWithTimeout,
  retryableStatus,
  type Channel,
  type OutgoingOf,
  type SendResult,
} from './channel';

export interface WeComAppSettings {
  /** `https://qyapi.weixin.qq.com` in production; a simulator in tests. */
  readonly baseUrl: string;
  /** 企业ID. */
  readonly corpId: string;
  /** The self-built app's AgentId. */
  readonly agentId: number;
  /** The app's Secret (credential). */
  readonly secret: string;
  readonly timeoutMs: number;
}

/** System busy and frequency limits: another try on the same channel may work. */
const RETRYABLE = new Set([-1, 45009, 45033, 45047]);
/** The access token is invalid or expired: fetch a new one and send once more. */
const TOKEN_EXPIRED = new Set([40014, 42001]);
/** Refresh this long before WeCom's own expiry, so a token never dies in flight. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * A WeCom (企业微信) self-built app message to one member (`touser` = the resident's WeCom user
 * id): `GET /cgi-bin/gettoken?corpid=&corpsecret=` gives an access token valid `expires_in`
 * seconds (7,200), cached here and shared by every send; `POST /cgi-bin/message/send?access_token=`
 * with `{touser, msgtype: "text", agentid, text: {content}}`. `text`, not markdown: a member who
 * reads WeCom messages inside WeChat sees markdown only as a "view in WeCom" stub. The answer is
 * HTTP 200 with `errcode` (0 ok; 81013 every recipient invalid; `invaliduser` names a recipient
 * outside the app's visible range). errcode 0 with the user not listed as invalid means WeCom has
 * put it in the member's conversation with the app: "delivered".
 */
export class WeComAppChannel implements Channel<'wecom_app'> {
  readonly kind = 'wecom_app' as const;
  private token: { value: string; until: number } | null = null;
  private pending: Promise<string | SendResult> | null = null;

  constructor(
    private readonly settings: WeComAppSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async send(message: OutgoingOf<'wecom_app'>): Promise<SendResult> {
    const first = await this.sendOnce(message, false);
    return first === 'token_expired'
      ? this.sendOnce(message, true).then((r) =>
          r === 'token_expired' ? failed('WECOM_APP_TOKEN_EXPIRED', true) : r,
        )
      : first;
  }

  private async sendOnce(
    message: OutgoingOf<'wecom_app'>,
    fresh: boolean,
  ): Promise<SendResult | 'token_expired'> {
    const token = await this.accessToken(fresh);
    if (typeof token !== 'string') return token;
    const base = this.settings.baseUrl.replace(/\/$/, '');
    const res = await fetchWithTimeout(
      `${base}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          touser: message.to,
          msgtype: 'text',
          agentid: this.settings.agentId,
          text: { content: message.content.text },
          safe: 0,
        }),
      },
      this.settings.timeoutMs,
    );
    if ('failure' in res) return res.failure;
    if (!res.response.ok)
      return failed(`WECOM_APP_HTTP_${res.response.status}`, retryableStatus(res.response.status));
    const answer = (await res.response.json().catch(() => null)) as {
      errcode?: number;
      invaliduser?: string;
      msgid?: string;
    } | null;
    const code = answer?.errcode ?? -1;
    if (TOKEN_EXPIRED.has(code)) {
      this.token = null;
      return 'token_expired';
    }
    if (code !== 0) return failed(`WECOM_APP_${code}`, RETRYABLE.has(code));
    // WeCom lower-cases the ids it lists; a listed recipient got nothing.
    const invalid = (answer?.invaliduser ?? '').toLowerCase().split('|').filter(Boolean);
    if (invalid.includes(message.to.toLowerCase())) return failed('WECOM_APP_INVALID_USER', false);
    return { ok: true, providerMessageId: answer?.msgid ?? message.messageId, delivered: true };
  }

  /** The cached token, or a new one (one request at a time: concurrent sends share it). */
  private async accessToken(fresh: boolean): Promise<string | SendResult> {
    if (!fresh && this.token && this.token.until > this.now()) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string | SendResult> {
    const base = this.settings.baseUrl.replace(/\/$/, '');
    const url = `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.settings.corpId)}&corpsecret=${encodeURIComponent(this.settings.secret)}`;
    const res = await fetchWithTimeout(url, { method: 'GET' }, this.settings.timeoutMs);
    if ('failure' in res) return res.failure;
    if (!res.response.ok)
      return failed(`WECOM_APP_HTTP_${res.response.status}`, retryableStatus(res.response.status));
    const answer = (await res.response.json().catch(() => null)) as {
      errcode?: number;
      access_token?: string;
      expires_in?: number;
    } | null;
    if (answer?.errcode !== 0 || !answer.access_token)
      return failed(`WECOM_APP_TOKEN_${answer?.errcode ?? -1}`, RETRYABLE.has(answer?.errcode ?? -1));
    this.token = {
      value: answer.access_token,
      until: this.now() + (answer.expires_in ?? 7200) * 1000 - TOKEN_MARGIN_MS,
    };
    return answer.access_token;
  }
}
