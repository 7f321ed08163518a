// Integration-test plumbing for this library: a fresh database per test file, unique topics, a
// Kafka client for the local broker. (Moves to @portico/testing once that library provides
// getTestKafka/createTestDatabase; kept tiny until then.)
import { randomBytes } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel, type Admin, type IHeaders } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createMessagingMigration } from '../outbox/messaging.migration';
import { ensureTopics, type KafkaTopicSpec } from '../topics/ensure-topics';

interface IntegrationSettings {
  readonly brokers: string[];
  /** A database to connect to for CREATE/DROP DATABASE. */
  readonly adminUrl: string;
}

let settings: IntegrationSettings | undefined;

/**
 * Reads KAFKA_BROKERS / DATABASE_URL (defaults: the local broker and Postgres). Called by each
 * *.int-spec.ts with `process.env`, the only place this library's code may read the environment.
 */
export function useIntegrationEnvironment(env: Record<string, string | undefined>): IntegrationSettings {
  settings = {
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    adminUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
  return settings;
}

function current(): IntegrationSettings {
  if (!settings) throw new Error('call useIntegrationEnvironment(process.env) at the top of the test file');
  return settings;
}

export function testKafka(clientId = 'messaging-int'): Kafka {
  return new Kafka({ clientId, brokers: current().brokers, logLevel: logLevel.ERROR });
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A stream topic name (contracts insist on `<domain>.<aggregate>.v<N>`) unique to this run. */
export function uniqueStreamTopic(aggregate = 'tracking'): string {
  return `it${uniqueSuffix()}.${aggregate}.v1`;
}

export async function createTopics(specs: KafkaTopicSpec[]): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
}

export async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly dataSource: DataSource;
  drop(): Promise<void>;
}

/** A new database with the messaging tables and a `side_effects` table for test handlers. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${uniqueSuffix()}`.toLowerCase();
  const admin = new Client({ connectionString: current().adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(current().adminUrl);
  url.pathname = `/${name}`;
  const dataSource = new DataSource({
    type: 'postgres',
    url: url.toString(),
    migrations: [createMessagingMigration()],
    synchronize: false,
    extra: { max: 12 },
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.query(`
    CREATE TABLE side_effects (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL,
      label text NOT NULL,
      parcel_id text NOT NULL,
      trace_id text,
      previous_failures int NOT NULL DEFAULT 0
    )`);
  return {
    name,
    url: url.toString(),
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      const client = new Client({ connectionString: current().adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Polls until `check` returns a value other than undefined/false. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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

/** In-process tracing with W3C propagation and an in-memory exporter. */
export function installTestTracing(): { exporter: InMemorySpanExporter; uninstall(): void } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    exporter,
    uninstall() {
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
