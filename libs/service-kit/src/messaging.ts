import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
import type { TopicSpec } from '@portico/contracts';
import type { CommonConfig } from '@portico/config';
import {
  consumerTopicSpecs,
  createKafka,
  ensureTopics,
  KafkaEventTransport,
  OutboxRelay,
  OutboxWriter,
  type KafkaTopicSpec,
  type PlanMethod,
} from '@portico/messaging';
import { METRICS_REGISTRY, type Registry } from '@portico/observability';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';

export interface MessagingOptions {
  /** Stream topics this service writes (through the outbox). The relay runs only when there are some. */
  produces?: readonly TopicSpec[];
  /** Stream topics this service consumes with `@EventConsumer()` controllers. */
  consumes?: readonly TopicSpec[];
  /** Consumer group; defaults to the service name. Also names the retry/DLQ topics and the inbox. */
  group?: string;
  /** Wait before each retry of a failed handler; after the last, the record is dead-lettered. */
  retryDelaysMs?: readonly number[];
  /**
   * Partitions handled at once (kafkajs partitionsConsumedConcurrently) by the stream and the retry
   * consumer (defaults 2 and 4). Order holds per partition, so per parcel, whatever the value.
   */
  concurrency?: { readonly stream?: number; readonly retry?: number };
  /**
   * Where a group without committed offsets starts on the stream topics. Default true: a service
   * must not miss what was produced while it was being deployed. False (the topic end) only for
   * consumers whose work is about now, such as the console's live updates.
   */
  fromBeginning?: boolean;
  /**
   * Plan methods the consumer's transactions run without (KafkaEventTransport's `planMethodsOff`):
   * for services whose handlers only probe keys. Default none.
   */
  planMethodsOff?: readonly PlanMethod[];
}

export const MESSAGING_OPTIONS = 'portico:messaging-options';
const MESSAGING_CONFIG = 'portico:messaging-config';

/**
 * Owns the service's Kafka plumbing: provisions its topics (auto-creation is off on every broker),
 * runs the outbox relay while the application runs, and builds the consumer transport that
 * `bootstrapService` connects. Relay shutdown happens before the DataSource closes; rows it did not
 * publish stay in the outbox for the next start.
 */
@Injectable()
export class MessagingRuntime implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('messaging');
  private readonly kafka: Kafka;
  private relay?: OutboxRelay;
  private transport?: KafkaEventTransport;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(MESSAGING_CONFIG) private readonly config: CommonConfig,
    private readonly dataSource: DataSource,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {
    this.kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId });
  }

  get group(): string {
    return this.options.group ?? this.config.serviceName;
  }

  /** Every topic this service needs: what it produces, what it consumes and its retry/DLQ topics. */
  topicSpecs(): KafkaTopicSpec[] {
    const consumes = this.options.consumes ?? [];
    return [
      ...(this.options.produces ?? []),
      ...consumes,
      ...consumes.flatMap((topic) => consumerTopicSpecs(topic, this.group)),
    ];
  }

  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { created } = await ensureTopics(admin, this.topicSpecs());
      if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
    if ((this.options.produces ?? []).length > 0) {
      this.relay = new OutboxRelay({
        dataSource: this.dataSource,
        kafka: this.kafka,
        metricsRegistry: this.metrics,
        logger: new Logger('outbox-relay'),
      });
      await this.relay.start();
    }
  }

  /** The consumer transport, or undefined when the service consumes nothing. Built once. */
  consumerTransport(): KafkaEventTransport | undefined {
    const consumes = this.options.consumes ?? [];
    if (consumes.length === 0) return undefined;
    this.transport ??= new KafkaEventTransport({
      kafka: this.kafka,
      group: this.group,
      dataSource: this.dataSource,
      topics: consumes.map((t) => ({ name: t.name, valueSchema: t.valueSchema })),
      retryDelaysMs: this.options.retryDelaysMs,
      ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}),
      ...(this.options.fromBeginning === undefined ? {} : { fromBeginning: this.options.fromBeginning }),
      ...(this.options.planMethodsOff ? { planMethodsOff: this.options.planMethodsOff } : {}),
      metricsRegistry: this.metrics,
      logger: new Logger('kafka-consumer'),
      shutdownGraceMs: Math.max(1_000, this.config.shutdownTimeoutMs - 2_000),
      minBytes: this.config.kafkaFetchMinBytes,
      maxWaitTimeInMs: this.config.kafkaFetchMaxWaitMs,
    });
    return this.transport;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

@Global()
@Module({})
export class MessagingModule {
  /**
   * Adds Kafka to a service: topics provisioned at start, an `OutboxWriter` to inject, the outbox
   * relay, and (when `consumes` is given) the consumer transport for `@EventConsumer()` controllers.
   * Needs `DatabaseModule` (outbox and inbox live in the service's database: add
   * `createMessagingMigration()` to its migrations).
   */
  static forRoot(config: CommonConfig, options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: MESSAGING_CONFIG, useValue: config },
        { provide: OutboxWriter, useValue: new OutboxWriter() },
        MessagingRuntime,
      ],
      exports: [OutboxWriter, MessagingRuntime],
    };
  }
}
