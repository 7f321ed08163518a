import { dlqTopicName, retryTopicName } from '@portico/contracts';
import type { Admin, ITopicConfig } from 'kafkajs';

/** What a topic must look like. Contracts' `TopicSpec` fits. */
export interface KafkaTopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs?: number;
  readonly cleanupPolicy?: 'delete' | 'compact';
  /** Broker default (-1) unless given; production clusters set min.insync.replicas with it. */
  readonly replicationFactor?: number;
  readonly extraConfig?: Readonly<Record<string, string>>;
}

export interface EnsureTopicsResult {
  readonly created: string[];
  readonly existing: string[];
}

/**
 * Creates the topics that do not exist yet and waits for their leaders, so producers can write at
 * once. Existing topics are left alone: adding partitions would move keys to other partitions and
 * break per-parcel order, and retention changes are an operator's decision.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly KafkaTopicSpec[],
): Promise<EnsureTopicsResult> {
  const unique = [...new Map(specs.map((s) => [s.name, s])).values()];
  const present = new Set(await admin.listTopics());
  const missing = unique.filter((s) => !present.has(s.name));
  if (missing.length > 0) {
    // Another service may create the same topic at the same time; kafkajs then reports it as
    // already existing (returns false) rather than failing.
    await admin.createTopics({ waitForLeaders: true, topics: missing.map(toTopicConfig) });
  }
  return {
    created: missing.map((s) => s.name),
    existing: unique.filter((s) => present.has(s.name)).map((s) => s.name),
  };
}

function toTopicConfig(spec: KafkaTopicSpec): ITopicConfig {
  const configEntries = [
    { name: 'cleanup.policy', value: spec.cleanupPolicy ?? 'delete' },
    ...(spec.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(spec.retentionMs) }] : []),
    ...Object.entries(spec.extraConfig ?? {}).map(([name, value]) => ({ name, value })),
  ];
  return {
    topic: spec.name,
    numPartitions: spec.partitions,
    replicationFactor: spec.replicationFactor ?? -1,
    configEntries,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Parked records wait in retry topics until their key's head succeeds: keep them as long as the
 * stream itself. */
export const RETRY_TOPIC_RETENTION_MS = 14 * DAY_MS;
/** Dead letters wait for a human and a replay. */
export const DLQ_TOPIC_RETENTION_MS = 30 * DAY_MS;

/**
 * The retry and DLQ topics a consumer group needs for one stream topic. Same partition count as
 * the stream (not required for order, which is kept per key, but it spreads the same load).
 */
export function consumerTopicSpecs(topic: KafkaTopicSpec, group: string): KafkaTopicSpec[] {
  const base = {
    partitions: topic.partitions,
    replicationFactor: topic.replicationFactor,
    cleanupPolicy: 'delete' as const,
  };
  return [
    { ...base, name: retryTopicName(topic.name, group), retentionMs: RETRY_TOPIC_RETENTION_MS },
    { ...base, name: dlqTopicName(topic.name, group), retentionMs: DLQ_TOPIC_RETENTION_MS },
  ];
}
