import { Logger } from '@nestjs/common';
import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type logCreator,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';

export interface KafkaConnectionOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaConfig['sasl'];
  /** kafkajs is chatty at INFO (every join and commit); warnings and errors are what operators need. */
  readonly logLevel?: logLevel;
  readonly logCreator?: KafkaConfig['logCreator'];
}

/** One place that builds kafkajs clients, so every client in the platform shares the same settings. */
export function createKafka(options: KafkaConnectionOptions | Kafka): Kafka {
  if (options instanceof Kafka) return options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl,
    logLevel: options.logLevel ?? logLevel.WARN,
    logCreator: options.logCreator ?? nestLogCreator,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * kafkajs logs through Nest's logger (and so through the service's pino setup) instead of raw
 * console JSON. One warning is dropped: kafkajs warns that a bounded retry count "may invalidate
 * EoS guarantees". We bound retries on purpose so a failed send surfaces (the relay rolls back and
 * backs off), and after a failure the producer is reconnected, which gets a fresh producer id and
 * sequence numbers (resetAfterFailure); the duplicates that can cause are dropped by inboxes.
 */
const nestLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const {
      message,
      timestamp: _t,
      logger: _l,
      ...extra
    } = log as typeof log & { timestamp?: unknown; logger?: unknown };
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    const text = Object.keys(extra).length > 0 ? `${message} ${JSON.stringify(extra)}` : message;
    if (level === logLevel.ERROR) logger.error(text);
    else if (level === logLevel.WARN) logger.warn(text);
    else if (level === logLevel.INFO) logger.log(text);
    else logger.debug(text);
  };
};

/** After a failed send the idempotent producer's sequence state is unknown; reconnecting makes
 * kafkajs fetch a new producer id (InitProducerId) so later sends are not rejected as out of order. */
export async function resetAfterFailure(producer: Producer): Promise<void> {
  await producer.disconnect().catch(() => undefined);
  await producer.connect();
}

/**
 * The only producer configuration the platform uses.
 * - idempotent + acks=-1 (per send): the broker drops duplicates from producer retries.
 * - maxInFlightRequests 1: kafkajs does not re-order sequence numbers after a failed in-flight
 *   request, so more than one in flight could reorder a parcel's events on retry.
 * - allowAutoTopicCreation false: topics are provisioned by ensureTopics, never by a typo.
 * - DefaultPartitioner passed explicitly (Java-compatible murmur2 hashing, same partition for a key
 *   as any other Kafka client), which also silences kafkajs' partitioner warning without an env var.
 */
export function createIdempotentProducer(kafka: Kafka, overrides: Partial<ProducerConfig> = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    // bounded (see nestLogCreator): about 10 s of retries, then the caller backs off and retries
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
    ...overrides,
  });
}

/** acks=-1: every in-sync replica has the record before the send resolves. */
export const ACKS_ALL = -1;
