import {
  failed,
  fetchWithTimeout,
  retryableStatus,
  type Channel,
  type OutgoingOf,
  type SendResult,
} from './channel';

export interface WeComRobotSettings {
  /** `https://qyapi.weixin.qq.com` in production; a simulator in tests. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

/** WeCom global error codes worth another try: system busy, API frequency limits. */
const RETRYABLE = new Set([-1, 45009, 45033, 45047]);

/**
 * A WeCom (企业微信) group robot: `POST /cgi-bin/webhook/send?key=<robot key>` with
 * `{"msgtype":"markdown","markdown":{"content":…}}`; the answer is always HTTP 200 with
 * `{"errcode":0,"errmsg":"ok"}` or an error code in the body. The recipient's address is the
 * robot key of their group (staff channel `wecom`). errcode 0 means the message is in the group,
 * so this channel reports "delivered" at once.
 */
export class WeComRobotChannel implements Channel<'wecom'> {
  readonly kind = 'wecom' as const;

  constructor(private readonly settings: WeComRobotSettings) {}

  async send(message: OutgoingOf<'wecom'>): Promise<SendResult> {
    const key = robotKey(message.to);
    if (!key) return failed('WECOM_INVALID_ADDRESS', false);
    const url = `${this.settings.baseUrl.replace(/\/$/, '')}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
    const res = await fetchWithTimeout(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { content: message.content.markdown } }),
      },
      this.settings.timeoutMs,
    );
    if ('failure' in res) return res.failure;
    if (!res.response.ok)
      return failed(`WECOM_HTTP_${res.response.status}`, retryableStatus(res.response.status));
    const answer = (await res.response.json().catch(() => null)) as { errcode?: number } | null;
    if (answer?.errcode === 0) return { ok: true, providerMessageId: message.messageId, delivered: true };
    const code = answer?.errcode ?? -1;
    return failed(`WECOM_${code}`, RETRYABLE.has(code));
  }
}

/** The directory may hold the bare key or the whole webhook URL the WeCom admin console shows. */
export function robotKey(address: string): string | null {
  const trimmed = address.trim();
  if (/^https?:\/\//.test(trimmed)) {
    try {
      return new URL(trimmed).searchParams.get('key');
    } catch {
      return null;
    }
  }
  return /^[A-Za-z0-9-]{8,64}$/.test(trimmed) ? trimmed : null;
}
