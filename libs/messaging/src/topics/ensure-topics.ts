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

export interface EnsureTopicsOptions {
  /** Attempts in all when the broker answers with a retriable error; default 6. */
  readonly attempts?: number;
  /** Wait before the first retry, doubled after each; default 250 ms. */
  readonly backoffMs?: number;
}

/**
 * Creates the topics that do not exist yet and waits for their leaders, so producers can write at
 * once. Existing topics are left alone: adding partitions would move keys to other partitions and
 * break per-parcel order, and retention changes are an operator's decision.
 *
 * A broker that has just created a topic (this call's, or another service's starting at the same
 * time) can answer the metadata request of `waitForLeaders` with "this server does not host this
 * topic-partition" before its metadata has caught up; kafkajs flags that retriable but retries only
 * "leader not available" itself. Every step here is idempotent, so a retriable error runs the whole
 * check again, a few times with a growing pause, instead of failing the service's start.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly KafkaTopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsResult> {
  const attempts = options.attempts ?? 6;
  let backoffMs = options.backoffMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureTopicsOnce(admin, specs);
    } catch (error) {
      if (attempt >= attempts || (error as { retriable?: unknown }).retriable !== true) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs *= 2;
    }
  }
}

async function ensureTopicsOnce(admin: Admin, specs: readonly KafkaTopicSpec[]): Promise<EnsureTopicsResult> {
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
