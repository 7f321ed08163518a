import { createHmac, randomUUID } from 'node:crypto';
import {
  failed,
  fetchWithTimeout,
  retryableStatus,
  type Channel,
  type OutgoingOf,
  type SendResult,
} from './channel';

export interface AliyunSmsSettings {
  /** `https://dysmsapi.aliyuncs.com` in production; a simulator in tests. */
  readonly baseUrl: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** The approved signature (签名) shown in front of every message, e.g. 【港湾物业】. */
  readonly signName: string;
  /** `<templateRef>/<language>` → the provider's approved template code (SMS_123456789). */
  readonly templateCodes: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
}

/** Provider codes worth another try on the same channel (throttling and the provider's own trouble). */
const RETRYABLE_CODES = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'isp.SYSTEM_ERROR',
  'isp.RAM_PERMISSION_DENY',
  'SignatureNonceUsed',
  'Throttling.User',
  'ServiceUnavailable',
]);

/** RFC 3986 encoding as Alibaba Cloud's RPC signature (v1) requires: `~` kept, space as %20, `*` encoded. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

/**
 * The RPC-style signature of Alibaba Cloud APIs (SignatureVersion 1.0, HMAC-SHA1): parameters
 * sorted by name, percent-encoded into a canonical query, `POST&%2F&<encoded query>` signed with
 * `AccessKeySecret&`. Exported for the simulator, which checks it the same way the provider does.
 */
export function aliyunRpcSignature(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/**
 * SMS through Alibaba Cloud SMS (短信服务) `SendSms`, API version 2017-05-25: one POST with the
 * form-encoded RPC parameters (PhoneNumbers, SignName, TemplateCode, TemplateParam JSON, common
 * parameters and the signature). The answer is `{"Code":"OK","BizId":…,"RequestId":…}` or
 * `{"Code":"isv.…","Message":…}` with HTTP 200 for business errors. "Sent" means the gateway
 * accepted it (BizId); delivery to the handset is reported later by a receipt (SmsReport, pushed to
 * `POST /v1/receipts/sms/<token>`, src/receipts), matched on OutId (our message id) and BizId, so
 * the channel itself never reports "delivered".
 */
export class AliyunSmsChannel implements Channel<'sms'> {
  readonly kind = 'sms' as const;

  constructor(
    private readonly settings: AliyunSmsSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async send(message: OutgoingOf<'sms'>): Promise<SendResult> {
    const code = this.settings.templateCodes.get(
      `${message.content.templateRef}/${message.content.language}`,
    );
    if (!code) return failed('SMS_TEMPLATE_NOT_CONFIGURED', false);
    const params: Record<string, string> = {
      AccessKeyId: this.settings.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      OutId: message.messageId,
      PhoneNumbers: message.to,
      SignName: this.settings.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: code,
      TemplateParam: JSON.stringify(message.content.params),
      Timestamp: this.clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    params['Signature'] = aliyunRpcSignature('POST', params, this.settings.accessKeySecret);
    const body = Object.entries(params)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
    const res = await fetchWithTimeout(
      `${this.settings.baseUrl.replace(/\/$/, '')}/`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      this.settings.timeoutMs,
    );
    if ('failure' in res) return res.failure;
    const answer = (await res.response.json().catch(() => null)) as {
      Code?: string;
      BizId?: string;
    } | null;
    if (res.response.ok && answer?.Code === 'OK' && answer.BizId) {
      return { ok: true, providerMessageId: answer.BizId, delivered: false };
    }
    if (answer?.Code) return failed(`SMS_${answer.Code}`, RETRYABLE_CODES.has(answer.Code));
    return failed(`SMS_HTTP_${res.response.status}`, retryableStatus(res.response.status));
  }
}

/** `ref/lang=CODE,…` (SMS_TEMPLATE_CODES) as a map. */
export function parseSmsTemplateCodes(value: string): Map<string, string> {
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
