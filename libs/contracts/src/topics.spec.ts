import {
  ALL_TOPICS,
  CARRIER_TRACKING_TOPIC,
  CLAIMS_CLAIM_TOPIC,
  CLEARANCE_CASE_TOPIC,
  DEFAULT_PARTITIONS,
  DEFAULT_RETENTION_MS,
  NOTIFICATION_OUTREACH_TOPIC,
  NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
  VAULT_DOCUMENT_TOPIC,
  dlqTopicName,
  findTopic,
  findTopicBySchema,
  retryTopicName,
} from './topics';
import { HeaderNames, REQUIRED_HEADERS, RetryHeaderNames } from './headers';

describe('topics', () => {
  it('declares one topic per aggregate stream with its stream message', () => {
    expect(ALL_TOPICS.map((t) => [t.name, t.valueSchema.typeName])).toEqual([
      ['carrier.tracking.v1', 'portico.carrier.v1.TrackingStreamEvent'],
      ['clearance.case.v1', 'portico.clearance.v1.ClearanceCaseEvent'],
      ['vault.document.v1', 'portico.vault.v1.VaultDocumentEvent'],
      ['notification.outreach.v1', 'portico.notification.v1.OutreachEvent'],
      ['claims.claim.v1', 'portico.claims.v1.ClaimEvent'],
      ['notification.webhook-subscription.v1', 'portico.notification.v1.WebhookSubscriptionEvent'],
    ]);
    expect([
      CARRIER_TRACKING_TOPIC,
      CLEARANCE_CASE_TOPIC,
      VAULT_DOCUMENT_TOPIC,
      NOTIFICATION_OUTREACH_TOPIC,
      CLAIMS_CLAIM_TOPIC,
      NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
    ]).toEqual(ALL_TOPICS);
  });

  it('uses the platform defaults: 6 partitions, 14 days, delete', () => {
    expect(DEFAULT_PARTITIONS).toBe(6);
    expect(DEFAULT_RETENTION_MS).toBe(1_209_600_000);
    for (const t of ALL_TOPICS) {
      expect(t).toMatchObject({ partitions: 6, retentionMs: 1_209_600_000, cleanupPolicy: 'delete' });
      expect(t.name).toMatch(/^[a-z-]+\.[a-z-]+\.v\d+$/);
      expect(Object.isFrozen(t)).toBe(true);
    }
  });

  it('finds topics by name and by schema header', () => {
    expect(findTopic('clearance.case.v1')).toBe(CLEARANCE_CASE_TOPIC);
    expect(findTopic('clearance.case.v1.retry.g')).toBeUndefined();
    expect(findTopicBySchema('portico.vault.v1.VaultDocumentEvent')).toBe(VAULT_DOCUMENT_TOPIC);
    expect(findTopicBySchema('portico.vault.v1.DocumentApproved')).toBeUndefined();
  });

  it('names retry and dead-letter topics per consumer group', () => {
    expect(retryTopicName(CARRIER_TRACKING_TOPIC, 'clearance')).toBe('carrier.tracking.v1.retry.clearance');
    expect(dlqTopicName('carrier.tracking.v1', 'clearance')).toBe('carrier.tracking.v1.dlq.clearance');
    expect(retryTopicName(CLAIMS_CLAIM_TOPIC, 'notification-outreach_2')).toBe(
      'claims.claim.v1.retry.notification-outreach_2',
    );
  });

  it('refuses names Kafka would reject or that are not stream topics', () => {
    expect(() => retryTopicName(CARRIER_TRACKING_TOPIC, '')).toThrow(/Consumer group/);
    expect(() => dlqTopicName(CARRIER_TRACKING_TOPIC, 'a b')).toThrow(/Consumer group/);
    expect(() => dlqTopicName(CARRIER_TRACKING_TOPIC, 'x'.repeat(240))).toThrow(/249/);
    expect(() => retryTopicName('carrier.tracking.v1.retry.clearance', 'claims')).toThrow(
      /not a stream topic/,
    );
  });
});

describe('headers', () => {
  it('has the standard and retry header names', () => {
    expect(Object.values(HeaderNames)).toEqual([
      'event-id',
      'event-type',
      'schema',
      'occurred-at',
      'traceparent',
      'tracestate',
      'tenant-id',
    ]);
    expect(REQUIRED_HEADERS).toEqual(['event-id', 'event-type', 'schema', 'occurred-at', 'tenant-id']);
    expect(Object.values(RetryHeaderNames)).toEqual([
      'x-original-topic',
      'x-original-partition',
      'x-original-offset',
      'x-attempt',
      'x-error',
      'x-error-kind',
      'x-not-before',
      'x-parked',
    ]);
  });
});
