import { DomainError } from '@portico/service-kit';
import type { PayloadIssue, WebhookRejectionCode } from './adapters/webhook-adapter';

/**
 * Unknown and disabled accounts get this same answer, so account ids cannot be probed (and a
 * disabled account looks exactly like one that never existed).
 */
export class CarrierAccountUnknownError extends DomainError {
  constructor() {
    super({
      code: 'carrier_account_unknown',
      status: 404,
      message: {
        en: 'No active carrier account has this webhook address.',
        zh: '该 Webhook 地址没有对应的有效承运商账户。',
      },
    });
  }
}

const SIGNATURE_MESSAGES: Record<
  Exclude<WebhookRejectionCode, 'WEBHOOK_PAYLOAD_INVALID'>,
  { en: string; zh: string }
> = {
  WEBHOOK_SIGNATURE_INVALID: {
    en: 'The webhook signature is missing or does not match any active secret of this carrier account.',
    zh: 'Webhook 签名缺失，或与该承运商账户的有效密钥均不匹配。',
  },
  WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE: {
    en: 'The webhook-timestamp is more than 5 minutes away from our clock; sign the delivery again when retrying.',
    zh: 'webhook-timestamp 与服务器时间相差超过 5 分钟，重试时请重新签名。',
  },
};

/** 401: the delivery is not authentic (or too old to tell). Code: the adapter's, lower-cased. */
export class WebhookSignatureError extends DomainError {
  constructor(code: Exclude<WebhookRejectionCode, 'WEBHOOK_PAYLOAD_INVALID'>) {
    super({ code: code.toLowerCase(), status: 401, message: SIGNATURE_MESSAGES[code] });
  }
}

/** 400: authentic but not a valid payload. Details list where and why, never the values. */
export class WebhookPayloadError extends DomainError {
  constructor(readonly issues: readonly PayloadIssue[]) {
    super({
      code: 'webhook_payload_invalid',
      status: 400,
      message: {
        en: 'The webhook body does not match the format of this carrier account; see details.issues.',
        zh: 'Webhook 请求体不符合该承运商账户的格式，详见 details.issues。',
      },
      details: { issues: issues.map((i) => ({ path: i.path, message: i.message })) },
    });
  }
}

/** 415: the provider of this account never posts this media type (checked before the signature). */
export class WebhookContentTypeError extends DomainError {
  constructor(accepted: readonly string[]) {
    super({
      code: 'unsupported_media_type',
      status: 415,
      message: {
        en: `This carrier account accepts ${accepted.join(' or ')} bodies only.`,
        zh: `该承运商账户只接受 ${accepted.join(' 或 ')} 格式的请求体。`,
      },
      details: { accepted: [...accepted] },
    });
  }
}
