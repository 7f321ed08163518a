import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  notification,
  NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
  WebhookSubscriptionEventSchema,
} from '@portico/contracts';
import type { OutboxEvent } from '@portico/messaging';

/**
 * `WebhookSubscriptionDisabled` on `notification.webhook-subscription.v1`, keyed by the
 * subscription id (a subscription belongs to a tenant, not a parcel; the id is opaque: `whs_…`).
 * Ids, counts and times only: never the subscriber's URL or secret.
 */
export function subscriptionDisabled(input: {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly noticeId: string;
  readonly failingSince: Date | null;
  readonly consecutiveFailures: number;
  readonly at: Date;
}): OutboxEvent<typeof WebhookSubscriptionEventSchema> {
  return {
    topic: NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC.name,
    key: input.subscriptionId,
    tenantId: input.tenantId,
    schema: WebhookSubscriptionEventSchema,
    message: create(WebhookSubscriptionEventSchema, {
      event: {
        case: 'webhookSubscriptionDisabled',
        value: create(notification.WebhookSubscriptionDisabledSchema, {
          subscriptionId: input.subscriptionId,
          tenantId: input.tenantId,
          occurredAt: timestampFromDate(input.at),
          reason: notification.WebhookDisableReason.FAILING,
          failingSince: input.failingSince ? timestampFromDate(input.failingSince) : undefined,
          consecutiveFailures: input.consecutiveFailures,
          noticeId: input.noticeId,
        }),
      },
    }),
    occurredAt: input.at,
  };
}
