import { ConflictError, DomainError, NotFoundError, BadRequestError } from '@portico/service-kit';
import type { UrlProblem } from './webhook-target';

const URL_MESSAGES: Record<UrlProblem, { en: string; zh: string }> = {
  invalid_url: { en: 'The URL must be an absolute https URL.', zh: 'URL 必须是完整的 https 地址。' },
  https_required: { en: 'Webhook URLs must use https.', zh: 'Webhook URL 必须使用 https。' },
  credentials_in_url: {
    en: 'The URL must not contain a user name or password; authenticate with the signature instead.',
    zh: 'URL 中不得包含用户名或密码；请使用签名进行验证。',
  },
  private_address: {
    en: 'The URL points to a private, loopback or link-local address, which webhooks may not reach.',
    zh: 'URL 指向私有、回环或链路本地地址，Webhook 不允许访问这些地址。',
  },
  url_too_long: { en: 'The URL is longer than 2048 characters.', zh: 'URL 长度超过 2048 个字符。' },
};

/** 400 webhook_url_rejected; `details.reason` says which rule (never the URL itself). */
export class WebhookUrlRejectedError extends BadRequestError {
  constructor(reason: UrlProblem) {
    super('webhook_url_rejected', URL_MESSAGES[reason], { reason, path: 'url' });
  }
}

export class SubscriptionNotFoundError extends NotFoundError {
  constructor(subscriptionId: string) {
    super(
      'subscription_not_found',
      { en: 'No such webhook subscription.', zh: '找不到该 Webhook 订阅。' },
      { subscriptionId },
    );
  }
}

export class DeliveryNotFoundError extends NotFoundError {
  constructor(deliveryId: string) {
    super(
      'delivery_not_found',
      { en: 'No such webhook delivery.', zh: '找不到该 Webhook 投递记录。' },
      { deliveryId },
    );
  }
}

export class UnknownEventTypeError extends BadRequestError {
  constructor(path: string, allowed: readonly string[]) {
    super(
      'unknown_event_type',
      {
        en: 'An event type filter names no known event type.',
        zh: '事件类型过滤条件未匹配任何已知事件类型。',
      },
      { path, allowed },
    );
  }
}

export class TenantRequiredError extends BadRequestError {
  constructor() {
    super(
      'tenant_required',
      { en: 'Operators must say which tenant (tenantId).', zh: '运营人员必须指定租户（tenantId）。' },
      { path: 'tenantId' },
    );
  }
}

/** 409: the subscription is not disabled, so there is nothing to re-enable. */
export class SubscriptionNotDisabledError extends ConflictError {
  constructor(subscriptionId: string) {
    super(
      'subscription_not_disabled',
      { en: 'The subscription is already enabled.', zh: '该订阅已处于启用状态。' },
      { subscriptionId },
    );
  }
}

/** 503 while WEBHOOK_SECRETS_KEY is not configured: secrets could not be stored safely. */
export class WebhooksNotConfiguredError extends DomainError {
  constructor() {
    super({
      code: 'webhooks_not_configured',
      status: 503,
      message: {
        en: 'Outbound webhooks are not configured on this installation.',
        zh: '本系统尚未配置出站 Webhook。',
      },
    });
  }
}
