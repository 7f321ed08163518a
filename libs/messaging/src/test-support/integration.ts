// Integration-test plumbing for this library, on top of @portico/testing (which finds the broker
// and Postgres: KAFKA_BROKERS / DATABASE_URL when set, Testcontainers when a Docker engine answers,
// else the local broker and Postgres): a migrated database per test file with a side-effects table
// for the test handlers, unique topics, and a Kafka client for the broker found.
import { randomBytes } from 'node:crypto';
import {
  createMigratedTestDatabase,
  getTestKafka,
  waitFor as pollUntil,
  withAdmin as withTestAdmin,
  type MigratedTestDatabase,
} from '@portico/testing';
import { Kafka, logLevel, type Admin, type IHeaders } from 'kafkajs';
import { createMessagingMigration } from '../outbox/messaging.migration';
import { ensureTopics, type KafkaTopicSpec } from '../topics/ensure-topics';

let brokers: string[] | undefined;

/** Finds the test broker; call it in the test file's beforeAll before anything else here. */
export async function useTestKafka(): Promise<string[]> {
  brokers = (await getTestKafka()).brokers;
  return [...brokers];
}

function currentBrokers(): string[] {
  if (!brokers) throw new Error('call `await useTestKafka()` in beforeAll first');
  return brokers;
}

export function testKafka(clientId = 'messaging-int'): Kafka {
  return new Kafka({ clientId, brokers: currentBrokers(), logLevel: logLevel.ERROR });
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A stream topic name (contracts insist on `<domain>.<aggregate>.v<N>`) unique to this run. */
export function uniqueStreamTopic(aggregate = 'tracking'): string {
  return `it${uniqueSuffix()}.${aggregate}.v1`;
}

export async function createTopics(specs: KafkaTopicSpec[]): Promise<void> {
  await withAdmin((admin) => ensureTopics(admin, specs));
}

export function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  return withTestAdmin(currentBrokers(), work);
}

export type TestDatabase = MigratedTestDatabase;

const SIDE_EFFECTS_TABLE = `
  CREATE TABLE side_effects (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    label text NOT NULL,
    parcel_id text NOT NULL,
    trace_id text,
    previous_failures int NOT NULL DEFAULT 0
  )`;

/** A new database with the messaging tables and a `side_effects` table for test handlers. */
export function createTestDatabase(prefix: string): Promise<TestDatabase> {
  return createMigratedTestDatabase(prefix, [createMessagingMigration()], { setupSql: [SIDE_EFFECTS_TABLE] });
}

/** @portico/testing's waitFor with this library's positional arguments. */
export function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  return pollUntil(check, { timeoutMs, description: what }) as Promise<T>;
}

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Reads a topic from the beginning with a throwaway group until `count` records arrived. */
/**
 * Reads `topic` from the beginning until `count` records are there; with `distinctBy`, until `count`
 * distinct ones are (at-least-once producers may have resent some, which must not count twice).
 */
export async function readTopic(
  topic: string,
  count: number,
  timeoutMs = 30_000,
  distinctBy?: (message: ConsumedMessage) => string,
): Promise<ConsumedMessage[]> {
  const consumer = testKafka().consumer({ groupId: `reader-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        messages.push({
          topic: t,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value,
          headers: stringHeaders(message.headers),
        });
      },
    });
    const have = () => (distinctBy ? new Set(messages.map(distinctBy)).size : messages.length);
    await waitFor(
      async () => have() >= count,
      timeoutMs,
      `${count} ${distinctBy ? 'distinct ' : ''}records on ${topic} (have ${have()})`,
    );
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

export function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {}))
    if (v !== undefined) out[k] = String(Array.isArray(v) ? v.at(-1) : v);
  return out;
}
