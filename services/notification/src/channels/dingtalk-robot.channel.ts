import { createHmac } from 'node:crypto';
import {
  failed,
  fetchWithTimeout,
  retryableStatus,
  type Channel,
  type OutgoingOf,
  type SendResult,
} from './channel';

export interface DingTalkRobotSettings {
  /** `https://oapi.dingtalk.com` in production; a simulator in tests. */
  readonly baseUrl: string;
  /** Robot access token → its signing secret (`SEC…`), for robots with 加签 (signature) security. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
}

/** 130101: sending too fast (20 messages a minute per robot); -1: system busy. */
const RETRYABLE = new Set([-1, 130101]);

/**
 * DingTalk's signature for custom robots: base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)),
 * URL-encoded into the `sign` query parameter next to `timestamp` (ms). Exported for the simulator.
 */
export function dingTalkSign(timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/**
 * A DingTalk (钉钉) custom group robot: `POST /robot/send?access_token=…&timestamp=…&sign=…` with
 * `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`; answers `{"errcode":0,"errmsg":"ok"}`
 * or an error code (310000: signature, keyword or IP check failed). The staff member's address is
 * the robot's access token; its signing secret comes from DINGTALK_ROBOT_SECRETS. errcode 0 means
 * the message is in the group: "delivered".
 */
export class DingTalkRobotChannel implements Channel<'dingtalk'> {
  readonly kind = 'dingtalk' as const;

  constructor(
    private readonly settings: DingTalkRobotSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async send(message: OutgoingOf<'dingtalk'>): Promise<SendResult> {
    const token = message.to.trim();
    if (!/^[A-Za-z0-9]{16,128}$/.test(token)) return failed('DINGTALK_INVALID_ADDRESS', false);
    const query = new URLSearchParams({ access_token: token });
    const secret = this.settings.secrets.get(token);
    if (secret) {
      const timestamp = this.clock().getTime();
      query.set('timestamp', String(timestamp));
      query.set('sign', dingTalkSign(timestamp, secret));
    }
    const res = await fetchWithTimeout(
      `${this.settings.baseUrl.replace(/\/$/, '')}/robot/send?${query.toString()}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: { title: message.content.title, text: message.content.markdown },
        }),
      },
      this.settings.timeoutMs,
    );
    if ('failure' in res) return res.failure;
    if (!res.response.ok)
      return failed(`DINGTALK_HTTP_${res.response.status}`, retryableStatus(res.response.status));
    const answer = (await res.response.json().catch(() => null)) as { errcode?: number } | null;
    if (answer?.errcode === 0) return { ok: true, providerMessageId: message.messageId, delivered: true };
    const code = answer?.errcode ?? -1;
    return failed(`DINGTALK_${code}`, RETRYABLE.has(code));
  }
}

/** `token=SECsecret,…` (DINGTALK_ROBOT_SECRETS) as a map. */
export function parseDingTalkSecrets(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    map.set(entry.slice(0, eq).trim(), entry.slice(eq + 1).trim());
  }
  return map;
}
