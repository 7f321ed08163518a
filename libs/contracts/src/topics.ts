import type { Message } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { type TrackingStreamEvent, TrackingStreamEventSchema } from './gen/portico/carrier/v1/tracking_pb';
import { type ClaimEvent, ClaimEventSchema } from './gen/portico/claims/v1/claim_pb';
import { type ClearanceCaseEvent, ClearanceCaseEventSchema } from './gen/portico/clearance/v1/case_pb';
import { type OutreachEvent, OutreachEventSchema } from './gen/portico/notification/v1/outreach_pb';
import {
  type WebhookSubscriptionEvent,
  WebhookSubscriptionEventSchema,
} from './gen/portico/notification/v1/webhook_subscription_pb';
import { type VaultDocumentEvent, VaultDocumentEventSchema } from './gen/portico/vault/v1/document_pb';

/**
 * A topic as the platform provisions it (auto topic creation is off everywhere). One topic per
 * aggregate stream, named `<domain>.<aggregate>.v<N>`, keyed by parcel id (the one exception:
 * `notification.webhook-subscription.v1`, whose aggregate is a subscription, keyed by its id),
 * whose values are all encoded with `valueSchema` (a stream message with a `oneof event`).
 */
export interface TopicSpec<T extends Message = Message> {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  readonly valueSchema: GenMessage<T>;
}

export const DEFAULT_PARTITIONS = 6;
/** 14 days: longer than any consumer outage we plan to recover from by replaying the topic. */
export const DEFAULT_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/** Kafka's limit for topic names. */
const MAX_TOPIC_NAME_LENGTH = 249;
const STREAM_TOPIC_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;
const CONSUMER_GROUP_SEGMENT = /^[A-Za-z0-9._-]+$/;

function defineTopic<T extends Message>(
  name: string,
  valueSchema: GenMessage<T>,
  overrides: Partial<Pick<TopicSpec<T>, 'partitions' | 'retentionMs' | 'cleanupPolicy'>> = {},
): TopicSpec<T> {
  if (!STREAM_TOPIC_NAME.test(name)) {
    throw new Error(`Topic name "${name}" does not follow <domain>.<aggregate>.v<N>`);
  }
  return Object.freeze({
    name,
    partitions: overrides.partitions ?? DEFAULT_PARTITIONS,
    retentionMs: overrides.retentionMs ?? DEFAULT_RETENTION_MS,
    cleanupPolicy: overrides.cleanupPolicy ?? 'delete',
    valueSchema,
  });
}

/** Canonical tracking events from carrier-ingestion. */
export const CARRIER_TRACKING_TOPIC: TopicSpec<TrackingStreamEvent> = defineTopic(
  'carrier.tracking.v1',
  TrackingStreamEventSchema,
);
/** Clearance case lifecycle from clearance. */
export const CLEARANCE_CASE_TOPIC: TopicSpec<ClearanceCaseEvent> = defineTopic(
  'clearance.case.v1',
  ClearanceCaseEventSchema,
);
/** ID-document ids and verdicts from id-vault (never personal data). */
export const VAULT_DOCUMENT_TOPIC: TopicSpec<VaultDocumentEvent> = defineTopic(
  'vault.document.v1',
  VaultDocumentEventSchema,
);
/** Outreach tasks, messages and escalations from notification. */
export const NOTIFICATION_OUTREACH_TOPIC: TopicSpec<OutreachEvent> = defineTopic(
  'notification.outreach.v1',
  OutreachEventSchema,
);
/**
 * Outbound webhook subscriptions of notification (auto-disable), keyed by subscription id: they
 * belong to a tenant, not a parcel, and each subscription's events keep their order.
 */
export const NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC: TopicSpec<WebhookSubscriptionEvent> = defineTopic(
  'notification.webhook-subscription.v1',
  WebhookSubscriptionEventSchema,
);
/** Lost/damaged parcel claims from claims. */
export const CLAIMS_CLAIM_TOPIC: TopicSpec<ClaimEvent> = defineTopic('claims.claim.v1', ClaimEventSchema);

/** Every stream topic, for provisioning and for resolving a `schema` header to its decoder. */
export const ALL_TOPICS: readonly TopicSpec[] = Object.freeze([
  CARRIER_TRACKING_TOPIC,
  CLEARANCE_CASE_TOPIC,
  VAULT_DOCUMENT_TOPIC,
  NOTIFICATION_OUTREACH_TOPIC,
  CLAIMS_CLAIM_TOPIC,
  NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
] as TopicSpec[]);

/** The stream topic with this name, or undefined (retry/DLQ names are not stream topics). */
export function findTopic(name: string): TopicSpec | undefined {
  return ALL_TOPICS.find((t) => t.name === name);
}

/** The stream topic whose values use this stream message (the `schema` header's value), or undefined. */
export function findTopicBySchema(schemaTypeName: string): TopicSpec | undefined {
  return ALL_TOPICS.find((t) => t.valueSchema.typeName === schemaTypeName);
}

/** `<topic>.retry.<group>`: where a consumer group's failed records wait for their next attempt. */
export function retryTopicName(topic: string | TopicSpec, group: string): string {
  return derivedTopicName(topic, 'retry', group);
}

/** `<topic>.dlq.<group>`: where a consumer group's records go when retrying cannot help. */
export function dlqTopicName(topic: string | TopicSpec, group: string): string {
  return derivedTopicName(topic, 'dlq', group);
}

function derivedTopicName(topic: string | TopicSpec, kind: 'retry' | 'dlq', group: string): string {
  const base = typeof topic === 'string' ? topic : topic.name;
  if (!STREAM_TOPIC_NAME.test(base)) {
    throw new Error(`"${base}" is not a stream topic name (<domain>.<aggregate>.v<N>)`);
  }
  if (!CONSUMER_GROUP_SEGMENT.test(group)) {
    throw new Error(`Consumer group "${group}" cannot be part of a topic name (allowed: A-Z a-z 0-9 . _ -)`);
  }
  const name = `${base}.${kind}.${group}`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new Error(`Topic name "${name}" exceeds Kafka's ${MAX_TOPIC_NAME_LENGTH} characters`);
  }
  return name;
}
