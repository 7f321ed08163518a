import { dockerAvailable } from './docker';
import { readTestEnvironment } from './environment';
import { announce, once, resolveSource, type InfrastructureSource } from './infrastructure';
import { kafkaAnswers } from './kafka-client';
import { LOCAL_KAFKA_BROKERS, startLocalKafka } from './local-services';

export interface TestKafka {
  readonly brokers: string[];
}

/** Kafka 3.9 (Confluent Platform 7.9), the line the local broker runs; kafkajs speaks it. */
export const KAFKA_CONTAINER_IMAGE = 'confluentinc/cp-kafka:7.9.1';

const kafka = once(async (): Promise<TestKafka & { source: InfrastructureSource }> => {
  const resolved = await resolveSource<string[]>({
    fromEnv: () => readTestEnvironment().kafkaBrokers,
    dockerAvailable,
    fromContainer: startKafkaContainer,
    fromLocal: ensureLocalKafka,
  });
  announce('kafka', resolved, resolved.value.join(','));
  return { brokers: resolved.value, source: resolved.source };
});

/**
 * A Kafka cluster for integration tests: KAFKA_BROKERS when set, else a Testcontainers broker when
 * a Docker engine answers, else the local broker (deploy/local/kafka.sh, started if it does not
 * answer). Resolved once per module instance; topics are the unit of isolation (uniqueTopicName).
 */
export async function getTestKafka(): Promise<{ brokers: string[] }> {
  const { brokers } = await kafka.get();
  return { brokers: [...brokers] };
}

async function ensureLocalKafka(): Promise<string[]> {
  if (!(await kafkaAnswers(LOCAL_KAFKA_BROKERS))) {
    await startLocalKafka();
    if (!(await kafkaAnswers(LOCAL_KAFKA_BROKERS))) {
      throw new Error(
        `the local broker does not answer on ${LOCAL_KAFKA_BROKERS.join(',')} after kafka.sh start`,
      );
    }
  }
  return LOCAL_KAFKA_BROKERS;
}

async function startKafkaContainer(): Promise<string[]> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  // Same behaviour as the local broker and production: topics exist only when the platform (or the
  // test) creates them, and consumers join without the default 3 s delay.
  const container = await new KafkaContainer(KAFKA_CONTAINER_IMAGE)
    .withKraft()
    .withEnvironment({
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .start();
  // Testcontainers' reaper removes the container when this process exits.
  return [`${container.getHost()}:${container.getMappedPort(9093)}`];
}
