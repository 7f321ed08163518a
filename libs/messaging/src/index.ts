// @portico/messaging: the one way services talk. Serde + headers, transactional outbox and relay,
// a Nest transport with inbox dedupe, retry/park/DLQ, topic provisioning and DLQ replay.

// Serde and headers
export {
  MessagingHeaderNames,
  normaliseHeaders,
  withoutDeliveryState,
  type StringHeaders,
} from './headers/record-headers';
export { encodeEvent, type EncodeEventOptions, type EncodedRecord } from './serde/event-encoder';
export { EventDecoder, type DecodedEvent, type RawRecord, type TopicSchema } from './serde/event-decoder';
export { PoisonMessageError, PoisonReason } from './serde/poison-message.error';
export {
  eventFieldsByType,
  eventOneofOf,
  occurredAtOf,
  selectedEventOf,
  type SelectedEvent,
} from './serde/stream-message';
export { extractTraceContext, injectTraceContext, MESSAGING_TRACER_NAME } from './tracing/trace-headers';

// Kafka clients and topics
export {
  ACKS_ALL,
  createIdempotentProducer,
  createKafka,
  type KafkaConnectionOptions,
} from './kafka/kafka-client';
export {
  consumerTopicSpecs,
  DLQ_TOPIC_RETENTION_MS,
  ensureTopics,
  RETRY_TOPIC_RETENTION_MS,
  type EnsureTopicsResult,
  type KafkaTopicSpec,
} from './topics/ensure-topics';

// Outbox
export {
  createMessagingMigration,
  MESSAGING_MIGRATION_TIMESTAMP,
  OUTBOX_NOTIFY_CHANNEL,
  type MigrationClass,
} from './outbox/messaging.migration';
export {
  OutboxWriter,
  outboxInsertSql,
  type AppendedEvent,
  type EncodedOutboxRows,
  type OutboxEvent,
} from './outbox/outbox-writer';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';
export { OUTBOX_LANE_COUNT, outboxLaneOf } from './outbox/outbox-lane';
export type { AfterPublish } from './outbox/outbox.repository';

// Consumers
export {
  KAFKA_EVENTS,
  KafkaEventTransport,
  type KafkaEventTransportOptions,
} from './consumer/kafka-event.transport';
export { EventBatchContext, EventContext } from './consumer/event-context';
export {
  batchPatternOf,
  EventBatchPattern,
  EventConsumer,
  PassHandlerErrorFilter,
} from './consumer/event-consumer.decorator';
export { BackoffSchedule, DEFAULT_RETRY_DELAYS_MS, type NextStep } from './consumer/backoff-schedule';
export { purgeInbox } from './consumer/consumer.repository';
export type { DeliveryInfo, Outcome, RecordCoordinates } from './consumer/delivery-processor';

// DLQ replay
export {
  parseDlqTopicName,
  replayDeadLetters,
  type ReplayDeadLettersOptions,
  type ReplayResult,
} from './cli/replay-dlq';
export { returnedRows } from './persistence/returned-rows';
export {
  planMethodsOffUntilCommit,
  withPlanMethodsOff,
  WHOLE_TABLE_PLAN_METHODS,
  type PlanMethod,
} from './persistence/planner-settings';
export {
  namedStatement,
  queryNamed,
  runNamedStatement,
  runStatementsUnnamed,
  type NamedStatement,
  type SqlClient,
} from './persistence/named-statements';
