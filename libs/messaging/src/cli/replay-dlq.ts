import { parseArgs } from 'node:util';
import { retryTopicName } from '@portico/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { normaliseHeaders, RetryHeaderNames, withoutDeliveryState } from '../headers/record-headers';
import {
  ACKS_ALL,
  createIdempotentProducer,
  createKafka,
  type KafkaConnectionOptions,
} from '../kafka/kafka-client';

export interface ReplayDeadLettersOptions {
  readonly kafka: KafkaConnectionOptions | Kafka;
  /** `<topic>.dlq.<group>` */
  readonly dlqTopic: string;
  /**
   * 'retry' (default): back into `<topic>.retry.<group>`, so only the group that gave up sees it
   * again. 'original': back into the stream topic, for every group (the others' inboxes drop it).
   */
  readonly target?: 'retry' | 'original';
  /** Only these events; the replay group's offsets are then left alone, so a later full replay
   * still sees the records that were skipped. */
  readonly eventIds?: readonly string[];
  /** Consumer group whose committed offsets remember what was replayed. */
  readonly replayGroup?: string;
  readonly timeoutMs?: number;
}

export interface ReplayResult {
  readonly scanned: number;
  readonly replayed: number;
  readonly replayedEventIds: string[];
}

const DLQ_TOPIC = /^([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*)\.dlq\.([A-Za-z0-9._-]+)$/;

export function parseDlqTopicName(dlqTopic: string): { streamTopic: string; group: string } {
  const match = DLQ_TOPIC.exec(dlqTopic);
  if (!match)
    throw new Error(`"${dlqTopic}" is not a DLQ topic name (<domain>.<aggregate>.v<N>.dlq.<group>)`);
  return { streamTopic: match[1]!, group: match[2]! };
}

/**
 * Re-drives a DLQ's records (those present when it starts) to the retry topic or the stream topic,
 * with their original producer headers and event ids, then stops. Each record is produced before
 * its offset is committed: interrupting a replay can duplicate a record, never drop one.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<ReplayResult> {
  const { streamTopic, group } = parseDlqTopicName(options.dlqTopic);
  const target = options.target ?? 'retry';
  const destination = target === 'retry' ? retryTopicName(streamTopic, group) : streamTopic;
  const filter = options.eventIds ? new Set(options.eventIds.map((id) => id.toLowerCase())) : undefined;
  const replayGroup = options.replayGroup ?? `${options.dlqTopic}.replay`;
  const kafka = createKafka(options.kafka);
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const consumer = kafka.consumer({
    groupId: replayGroup,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
  });

  await admin.connect();
  let remaining: Map<number, bigint>;
  try {
    remaining = await partitionsToReplay(admin, options.dlqTopic, replayGroup);
  } finally {
    await admin.disconnect();
  }
  let scanned = 0;
  const replayedEventIds: string[] = [];
  if (remaining.size === 0) return { scanned, replayed: 0, replayedEventIds };

  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.dlqTopic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `replay of ${options.dlqTopic} did not finish within ${options.timeoutMs ?? 120_000} ms`,
            ),
          ),
        options.timeoutMs ?? 120_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const last = remaining.get(partition);
            const offset = BigInt(message.offset);
            if (last === undefined || offset > last) return; // arrived after the replay started
            scanned += 1;
            const headers = normaliseHeaders(message.headers);
            const eventId = headers['event-id']?.toLowerCase();
            if (!filter || (eventId && filter.has(eventId))) {
              await redrive(producer, destination, target, message.key, message.value, headers);
              if (eventId) replayedEventIds.push(eventId);
            }
            if (!filter) {
              await consumer.commitOffsets([
                { topic: options.dlqTopic, partition, offset: (offset + 1n).toString() },
              ]);
            }
            if (offset >= last) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  return { scanned, replayed: replayedEventIds.length, replayedEventIds };
}

/** Partition -> last offset to replay, for partitions with records the group has not replayed. */
async function partitionsToReplay(
  admin: ReturnType<Kafka['admin']>,
  topic: string,
  groupId: string,
): Promise<Map<number, bigint>> {
  const [watermarks, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedByPartition = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)] as const),
  );
  const result = new Map<number, bigint>();
  for (const { partition, low, high } of watermarks) {
    const start = committedByPartition.get(partition) ?? -1n;
    const from = start >= 0n ? start : BigInt(low);
    if (from < BigInt(high)) result.set(partition, BigInt(high) - 1n);
  }
  return result;
}

async function redrive(
  producer: Producer,
  destination: string,
  target: 'retry' | 'original',
  key: Buffer | null,
  value: Buffer | null,
  headers: Record<string, string>,
): Promise<void> {
  const replayed = withoutDeliveryState(headers);
  if (target === 'retry') {
    // Keep where it first came from; no park number, so the consumer treats it as a new arrival
    // (and parks it if its key is waiting on something else).
    for (const name of [
      RetryHeaderNames.originalTopic,
      RetryHeaderNames.originalPartition,
      RetryHeaderNames.originalOffset,
    ]) {
      if (headers[name] !== undefined) replayed[name] = headers[name]!;
    }
  }
  await producer.send({ topic: destination, acks: ACKS_ALL, messages: [{ key, value, headers: replayed }] });
}

/** `replay-dlq --brokers host:9092 --dlq <topic>.dlq.<group> [--to retry|original] [--event-id <uuid>]...` */
export async function replayDlqCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      brokers: { type: 'string' },
      dlq: { type: 'string' },
      to: { type: 'string', default: 'retry' },
      'event-id': { type: 'string', multiple: true },
      group: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.brokers || !values.dlq || (values.to !== 'retry' && values.to !== 'original')) {
    process.stderr.write(
      'usage: replay-dlq --brokers host:port[,host:port] --dlq <topic>.dlq.<group> [--to retry|original] [--event-id <uuid>]... [--group <replay group>]\n',
    );
    return values.help ? 0 : 2;
  }
  const result = await replayDeadLetters({
    kafka: { brokers: values.brokers.split(','), clientId: 'portico-replay-dlq' },
    dlqTopic: values.dlq,
    target: values.to,
    eventIds: values['event-id'],
    replayGroup: values.group,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

if (require.main === module) {
  replayDlqCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`replay-dlq failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
