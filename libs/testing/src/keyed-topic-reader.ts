import type { IHeaders } from 'kafkajs';
import { testKafkaClient } from './kafka-client';

/** One record of a followed key: its key, headers as strings, and the decoded value. */
export interface KeyedRecord<T> {
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly event: T;
}

/**
 * A reader of one shared topic that keeps the records of the keys a spec follows and drops the
 * rest: topics are shared with other suites and with a platform started by `npm run up`, so a
 * harness must never assert on records it did not cause.
 */
export interface KeyedTopicReader<T> {
  /** Records of followed keys in arrival order (per key: the topic's order). */
  readonly received: KeyedRecord<T>[];
  /** Keeps records of these keys from now on (records read earlier were dropped). */
  follow(...keys: string[]): void;
  /** The received records of one key. */
  of(key: string): KeyedRecord<T>[];
  close(): Promise<void>;
}

/** Kafka header values as strings (kafkajs hands out Buffers, strings or arrays of them). */
export function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name] = String(value);
  return out;
}

/**
 * Starts a consumer of `topic` in its own group, from the beginning (the followed keys are the
 * spec's own, so older records of other keys are dropped, and a record produced before the
 * consumer joined is not missed), decoding each kept value with `decode`.
 */
export async function readKeyedTopic<T>(
  brokers: string[],
  options: { topic: string; groupId: string; decode: (value: Buffer) => T },
): Promise<KeyedTopicReader<T>> {
  const keys = new Set<string>();
  const received: KeyedRecord<T>[] = [];
  const consumer = testKafkaClient(brokers).consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      if (!keys.has(key)) return;
      received.push({
        key,
        headers: headersAsStrings(message.headers),
        event: options.decode(message.value ?? Buffer.alloc(0)),
      });
    },
  });
  return {
    received,
    follow: (...more) => more.forEach((k) => keys.add(k)),
    of: (key) => received.filter((r) => r.key === key),
    close: () => consumer.disconnect().catch(() => undefined),
  };
}
