import type { Kafka } from 'kafkajs';
import { headersAsStrings } from './keyed-topic-reader';
import { waitFor } from './wait-for';

export interface TopicOffset {
  readonly partition: number;
  readonly offset: string;
}

/** One record as read back: where it is, and its key, value and headers as the producer wrote them. */
export interface RangeRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Every record of `topic` from `from` (offsets taken before the test's or benchmark's own traffic)
 * up to the end offsets the topic has when this is called: the records written in between, each
 * once (a record fetched twice by this reader still counts once; distinct offsets decide).
 */
export async function readTopicRange(
  kafka: Kafka,
  topic: string,
  from: readonly TopicOffset[],
  options: { groupId: string; timeoutMs?: number },
): Promise<RangeRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const end = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const start = new Map(from.map((p) => [p.partition, BigInt(p.offset)]));
  /** Per partition, the next offset still to read; done when it reaches the end offset. */
  const next = new Map(end.map((p) => [p.partition, start.get(p.partition) ?? 0n]));
  const target = new Map(end.map((p) => [p.partition, BigInt(p.offset)]));
  const records: RangeRecord[] = [];
  const read = new Set<string>();
  const consumer = kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    // Seek on every join, not once after run(): run() can return before the group is joined, and a
    // runner that crashes (a coordinator still loading on a busy machine) restarts with a new group
    // that has forgotten earlier seeks. From `next`, so a rejoin goes on where the reading stopped.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of next) consumer.seek({ topic, partition, offset: String(offset) });
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= target.get(batch.partition)!) continue;
          const position = `${batch.partition}:${message.offset}`;
          if (read.has(position)) continue;
          read.add(position);
          records.push({
            partition: batch.partition,
            offset: message.offset,
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            value: message.value ?? Buffer.alloc(0),
            headers: headersAsStrings(message.headers),
          });
        }
        next.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      },
    });
    await waitFor(() => [...target].every(([partition, offset]) => next.get(partition)! >= offset), {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 100,
      description: `${topic} read back to the end offsets it had when the read began`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
