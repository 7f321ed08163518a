import { toBinary } from '@bufbuild/protobuf';
import {
  notification,
  NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
  WebhookSubscriptionEventSchema,
} from '@portico/contracts';
import { subscriptionDisabled } from './subscription-events';

describe('WebhookSubscriptionDisabled', () => {
  const at = new Date('2026-12-03T12:00:00Z');
  const event = subscriptionDisabled({
    subscriptionId: 'whs_0123',
    tenantId: 'ten_1',
    noticeId: 'whn_0456',
    failingSince: new Date('2026-11-28T12:00:00Z'),
    consecutiveFailures: 42,
    at,
  });

  it('goes on the subscription topic keyed by the subscription, not a parcel', () => {
    expect(event).toMatchObject({
      topic: NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC.name,
      key: 'whs_0123',
      tenantId: 'ten_1',
      occurredAt: at,
    });
  });

  it('carries ids, reason, counts and times only', () => {
    expect(event.message.event.case).toBe('webhookSubscriptionDisabled');
    const value = event.message.event.value!;
    expect(value).toMatchObject({
      subscriptionId: 'whs_0123',
      tenantId: 'ten_1',
      noticeId: 'whn_0456',
      reason: notification.WebhookDisableReason.FAILING,
      consecutiveFailures: 42,
    });
    expect(value.failingSince?.seconds).toBe(BigInt(Date.parse('2026-11-28T12:00:00Z') / 1000));
    expect(toBinary(WebhookSubscriptionEventSchema, event.message).length).toBeLessThan(120);
  });

  it('leaves failing_since unset when the breaker has no failure time', () => {
    const e = subscriptionDisabled({
      subscriptionId: 'whs_1',
      tenantId: 't',
      noticeId: 'n',
      failingSince: null,
      consecutiveFailures: 0,
      at,
    });
    expect(e.message.event.value!.failingSince).toBeUndefined();
  });
});
