import { dlqTopicName, retryTopicName, type TopicSpec } from '@portico/contracts';
import type { ITopicConfig } from 'kafkajs';
import { withAdmin } from './kafka-client';

export interface TestTopicSpec {
  readonly topic: string;
  /** Default 1; more when a test is about partitioning or per-key ordering. */
  readonly numPartitions?: number;
  /** Default 1: test brokers have a single node. */
  readonly replicationFactor?: number;
  /** Topic-level configs, e.g. { 'cleanup.policy': 'compact' }. */
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * Creates the topics (a plain name means one partition) and waits until each has a leader, so a
 * producer can write right away. Topics that already exist are left as they are.
 * Returns the names, for deleteTopics in afterAll.
 */
export async function createTopics(
  brokers: string[],
  specs: ReadonlyArray<string | TestTopicSpec>,
): Promise<string[]> {
  const topics: ITopicConfig[] = specs.map((spec) => {
    const s = typeof spec === 'string' ? { topic: spec } : spec;
    return {
      topic: s.topic,
      numPartitions: s.numPartitions ?? 1,
      replicationFactor: s.replicationFactor ?? 1,
      configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
    };
  });
  if (topics.length === 0) return [];
  await withAdmin(brokers, (admin) => admin.createTopics({ topics, waitForLeaders: true }));
  return topics.map((t) => t.topic);
}

/**
 * Deletes the topics that exist among `topics` (missing ones are ignored, so afterAll can call it
 * whatever the test got to). Pass a predicate to also remove topics derived at run time, e.g.
 * retry/DLQ topics: `deleteTopics(brokers, [topic], (t) => t.startsWith(`${topic}.`))`.
 */
export async function deleteTopics(
  brokers: string[],
  topics: readonly string[],
  alsoMatching?: (topic: string) => boolean,
): Promise<string[]> {
  return withAdmin(brokers, async (admin) => {
    const wanted = new Set(topics);
    const existing = (await admin.listTopics()).filter((t) => wanted.has(t) || (alsoMatching?.(t) ?? false));
    if (existing.length > 0) await admin.deleteTopics({ topics: existing, timeout: 30_000 });
    return existing;
  });
}

/**
 * What a service's consumer group leaves on the broker after a test: its retry and dead-letter
 * topics for each consumed topic, and the groups (`<group>`, its retry consumer `<group>.retry`, and
 * a test's `<group>-reader`). Best effort, like deleteTopics: afterAll runs whatever the test got to.
 */
export async function removeConsumerGroup(
  brokers: string[],
  group: string,
  consumedTopics: readonly (string | TopicSpec)[],
): Promise<void> {
  await deleteTopics(
    brokers,
    consumedTopics.flatMap((t) => [retryTopicName(t, group), dlqTopicName(t, group)]),
  ).catch(() => undefined);
  await withAdmin(brokers, (admin) => admin.deleteGroups([group, `${group}.retry`, `${group}-reader`])).catch(
    () => undefined,
  );
}
