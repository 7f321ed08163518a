// clearance against the real broker and Postgres, for integration specs: one scratch database and
// consumer group per harness, any number of service instances on them (restart, two instances), a
// producer that publishes onto the shared topics the way the other services do, and a reader of
// clearance.case.v1 that keeps the records of this harness's parcels only (the topics are shared
// with other suites and with a platform started by `npm run up`).
import { randomBytes } from 'node:crypto';
import {
  create,
  fromBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Context } from '@opentelemetry/api';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  CLEARANCE_CASE_TOPIC,
  ClearanceCaseEventSchema,
  common,
  parcelRef,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  TrackingStreamEventSchema,
  VAULT_DOCUMENT_TOPIC,
  VaultDocumentEventSchema,
  type ClearanceCaseEvent,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { createLogger } from '@portico/observability';
import { bootstrapService, runMigrations, type RunningService } from '@portico/service-kit';
import {
  createTestDatabase,
  removeConsumerGroup,
  getTestKafka,
  waitFor,
  type TestDatabase,
  readKeyedTopic,
  type KeyedRecord,
  type KeyedTopicReader,
} from '@portico/testing';
import { logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { migrations } from '../../migrations';
import { AppModule } from '../app.module';
import { loadServiceConfig, settings, type ClearanceConfig } from '../config';
import {
  CONSUMED_TOPICS,
  fakeProcess,
  memoryLog,
  startGroupAtEnd,
  trackingEvent,
  type TrackingInit,
} from './clearance-it';

export type ReceivedCaseEvent = KeyedRecord<ClearanceCaseEvent>;

export class ClearanceHarness {
  readonly run = randomBytes(4).toString('hex');
  readonly tenant = `ten_it_${this.run}`;
  readonly group: string;
  /** Signs person tokens (signDevToken) for the HTTP API. */
  readonly devTokenKey = randomBytes(32).toString('base64url');
  /** notification's service token. */
  readonly notificationToken = randomBytes(32).toString('base64url');
  readonly instances: RunningService[] = [];
  /** Everything every instance logged (to assert nothing personal is in it). */
  readonly log = memoryLog();
  private db!: TestDatabase;
  private brokers!: string[];
  private producer!: Producer;
  private reader!: KeyedTopicReader<ClearanceCaseEvent>;
  /** A connection to the harness's database, for specs that look at rows directly. */
  pg!: Client;
  config!: ClearanceConfig;

  /** clearance.case.v1 records of this harness's parcels, in arrival order. */
  get received(): ReceivedCaseEvent[] {
    return this.reader.received;
  }

  private constructor(name: string) {
    this.group = `clearance-${name}-${this.run}`;
  }

  /** Scratch database migrated, group positioned at the topics' ends, reader and producer connected. */
  static async start(name: string, env: Record<string, string> = {}): Promise<ClearanceHarness> {
    const h = new ClearanceHarness(name);
    await h.setUp(env);
    return h;
  }

  private async setUp(env: Record<string, string>): Promise<void> {
    ({ brokers: this.brokers } = await getTestKafka());
    this.db = await createTestDatabase('clearance');
    const loaded = loadServiceConfig({
      DATABASE_URL: this.db.url,
      KAFKA_BROKERS: this.brokers.join(','),
      KAFKA_CLIENT_ID: this.group,
      KAFKA_CONSUMER_GROUP: this.group,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '8000',
      TIMER_POLL_INTERVAL_MS: '100',
      AUTH_DEV_TOKEN_KEY: this.devTokenKey,
      AUTH_SERVICE_TOKENS: `notification=${this.notificationToken}`,
      ...env,
    });
    this.config = { ...loaded, httpPort: 0 };
    await runMigrations(this.config, migrations, this.logger());

    await startGroupAtEnd(this.brokers, this.group);

    this.producer = createIdempotentProducer(
      createKafka({ brokers: this.brokers, clientId: `${this.group}-producer`, logLevel: logLevel.NOTHING }),
    );
    await this.producer.connect();
    this.pg = new Client({ connectionString: this.db.url });
    await this.pg.connect();
    this.reader = await readKeyedTopic(this.brokers, {
      topic: CLEARANCE_CASE_TOPIC.name,
      groupId: `${this.group}-reader`,
      decode: (value) => fromBinary(ClearanceCaseEventSchema, value),
    });
  }

  /** One more clearance instance on the same database and group (a restart, or a second replica). */
  async startInstance(): Promise<RunningService> {
    const service = await bootstrapService({
      module: AppModule.forRoot(this.config),
      config: this.config,
      settings,
      logger: this.logger(),
      process: fakeProcess(),
    });
    this.instances.push(service);
    return service;
  }

  async stopInstance(service: RunningService): Promise<void> {
    await service.shutdown('test: instance stopped');
    this.instances.splice(this.instances.indexOf(service), 1);
  }

  /** Everything every instance logged so far (to assert nothing personal is in it). */
  logText(): string {
    return this.log.text();
  }

  /** A parcel of this run; its clearance.case.v1 records are collected. */
  parcel(suffix: string): common.ParcelRef {
    const ref = parcelRef('it-express', `IT${this.run}${suffix}`.toUpperCase());
    this.reader.follow(ref.parcelId);
    return ref;
  }

  /** Collects clearance.case.v1 records of parcels a spec named itself. */
  watch(...parcelIds: string[]): void {
    for (const id of parcelIds) this.reader.follow(id);
  }

  events(parcelId: string): ReceivedCaseEvent[] {
    return this.reader.of(parcelId);
  }

  eventCases(parcelId: string): string[] {
    return this.events(parcelId).map((r) => r.event.event.case ?? '');
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.pg.query(sql, params).then((r) => r.rows as T[]);
  }

  async processed(eventId: string): Promise<boolean> {
    const rows = await this.query(`SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2`, [
      this.group,
      eventId,
    ]);
    return rows.length > 0;
  }

  async waitProcessed(eventId: string, description = 'event processed'): Promise<void> {
    await waitFor(() => this.processed(eventId), { timeoutMs: 30_000, description });
  }

  /** A customs hold for ID documents as carrier-ingestion publishes it. */
  publishHold(ref: common.ParcelRef, at: Date, deadline: Date) {
    return this.publishTracking(ref, {
      status: carrier.TrackingStatus.CUSTOMS_HOLD,
      customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      occurredAt: timestampFromDate(at),
      customsDeadline: timestampFromDate(deadline),
      rawStatusCode: 'CUSTOMS_ID_REQUIRED',
    });
  }

  publishTracking(ref: common.ParcelRef, init: TrackingInit) {
    const message = trackingEvent(ref, this.tenant, init);
    return this.send(CARRIER_TRACKING_TOPIC.name, TrackingStreamEventSchema, message, ref.parcelId);
  }

  publishVault(ref: common.ParcelRef, event: MessageInitShape<typeof VaultDocumentEventSchema>['event']) {
    const message = create(VaultDocumentEventSchema, { event } as MessageInitShape<
      typeof VaultDocumentEventSchema
    >);
    return this.send(VAULT_DOCUMENT_TOPIC.name, VaultDocumentEventSchema, message, ref.parcelId);
  }

  publishOutreach(ref: common.ParcelRef, event: MessageInitShape<typeof OutreachEventSchema>['event']) {
    const message = create(OutreachEventSchema, { event } as MessageInitShape<typeof OutreachEventSchema>);
    return this.send(NOTIFICATION_OUTREACH_TOPIC.name, OutreachEventSchema, message, ref.parcelId);
  }

  /** A tracking event of any tenant's parcel (the record's tenant header is the event's). */
  publishTrackingEvent(
    message: MessageShape<typeof TrackingStreamEventSchema>,
    ref: common.ParcelRef,
    tenantId: string,
    options: { eventId?: string; traceContext?: Context } = {},
  ) {
    return this.send(
      CARRIER_TRACKING_TOPIC.name,
      TrackingStreamEventSchema,
      message,
      ref.parcelId,
      tenantId,
      options,
    );
  }

  private async send<D extends DescMessage>(
    topic: string,
    schema: D,
    message: MessageShape<D>,
    key: string,
    tenantId = this.tenant,
    options: { eventId?: string; traceContext?: Context } = {},
  ) {
    const record = encodeEvent({ schema, message, key, tenantId, ...options });
    await this.producer.send({
      topic,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } }],
    });
    return record;
  }

  async stop(): Promise<void> {
    await this.reader?.close();
    await this.producer?.disconnect().catch(() => undefined);
    await this.pg?.end().catch(() => undefined);
    for (const s of [...this.instances]) await s.shutdown('test finished').catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (this.brokers) await removeConsumerGroup(this.brokers, this.group, CONSUMED_TOPICS);
  }

  private logger() {
    return createLogger({
      serviceName: 'clearance',
      level: this.config.logLevel,
      destination: this.log.stream,
    });
  }
}
