import { DomainError, NotFoundError } from '@portico/service-kit';

/** The receiving URL's secret is wrong (the provider's console or the relay holds an old URL). */
export class ReceiptTokenInvalidError extends DomainError {
  constructor() {
    super({
      code: 'receipt_token_invalid',
      status: 401,
      message: {
        en: 'This receipt URL is not valid; copy the current receiving URL into the provider console.',
        zh: '回执接收地址无效，请在服务商控制台中填写当前的接收地址。',
      },
    });
  }
}

/** The receipt source has no secret configured, so nothing can be accepted from it. */
export class ReceiptsNotConfiguredError extends DomainError {
  constructor(setting: string) {
    super({
      code: 'receipts_not_configured',
      status: 503,
      message: {
        en: 'Delivery receipts from this source are not configured on this deployment.',
        zh: '本部署未配置此来源的送达回执。',
      },
      details: { setting },
    });
  }
}

/** A bounce that does not name a message Portico sent (or names one this service does not have). */
export class UnknownMessageError extends NotFoundError {
  constructor(reason: 'no_portico_message_id' | 'message_not_found') {
    super(
      'unknown_message',
      {
        en: 'This receipt is not about a message Portico sent.',
        zh: '此回执不属于 Portico 发送的消息。',
      },
      { reason },
    );
  }
}

/** The body is not a delivery status notification (RFC 3464). */
export class NotADsnBodyError extends DomainError {
  constructor(reason: string) {
    super({
      code: 'not_a_dsn',
      status: 400,
      message: {
        en: 'The body must be a delivery status notification (multipart/report; report-type=delivery-status) as received.',
        zh: '请求体必须是原样转发的投递状态通知邮件（multipart/report; report-type=delivery-status）。',
      },
      details: { reason },
    });
  }
}

export class DsnTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super({
      code: 'dsn_too_large',
      status: 413,
      message: { en: 'The bounce is too large.', zh: '退信内容过大。' },
      details: { limitBytes },
    });
  }
}
