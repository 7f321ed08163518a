// @portico/testing: real Kafka and PostgreSQL for integration tests, isolated per test file.
//
// Sources, in order: KAFKA_BROKERS / DATABASE_URL; Testcontainers when a Docker engine answers;
// the local broker (deploy/local/kafka.sh, started when it does not answer) and local Postgres.
// The choice is cached per module instance, which under Jest means per test file (Jest gives each
// file its own module registry); jest-global-setup resolves it once per run and passes it to the
// workers through KAFKA_BROKERS / DATABASE_URL.
//
// Subpaths: /smtp (a real SMTP server), /s3mock (Adobe S3Mock, a real S3 API: S3MOCK_ENDPOINT, else
// its Docker image, else its jar from Maven Central on the machine's Java; one per test file).
export { getTestKafka, KAFKA_CONTAINER_IMAGE, type TestKafka } from './kafka';
export {
  createMigratedTestDatabase,
  createTestDatabase,
  getTestPostgres,
  POSTGRES_CONTAINER_IMAGE,
  quoteIdentifier,
  type MigratedTestDatabase,
  type TestDatabase,
  type TestPostgres,
} from './postgres';
export { createTopics, deleteTopics, removeConsumerGroup, type TestTopicSpec } from './topics';
export { testKafkaClient, withAdmin, kafkaAnswers } from './kafka-client';
export { uniqueTopicName, uniqueDatabaseName, withDatabase, redactUrl } from './names';
export { waitFor, WaitForTimeoutError, type WaitForOptions, type Truthy } from './wait-for';
export { installTestTracing } from './tracing';
export { resolveSource, type InfrastructureSource } from './infrastructure';
export { isDockerAvailable } from './docker';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { readTopicRange, type RangeRecord, type TopicOffset } from './topic-range';
export {
  headersAsStrings,
  readKeyedTopic,
  type KeyedRecord,
  type KeyedTopicReader,
} from './keyed-topic-reader';
