// claims against the real broker and Postgres, for integration specs: one scratch database and
// consumer group per harness, any number of service instances on them (restart), a producer that
// publishes onto the shared topics the way carrier-ingestion and notification do, a reader of
// claims.claim.v1 that keeps this harness's parcels only, spans in memory, and HTTP helpers.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  create,
  fromBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SERVICE_NAME_HEADER, signDevToken } from '@portico/auth';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  CLAIMS_CLAIM_TOPIC,
  ClaimEventSchema,
  common,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  parcelRef,
  TrackingStreamEventSchema,
  type ClaimEvent,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent, ensureTopics } from '@portico/messaging';
import { createLogger } from '@portico/observability';
import { startTracing } from '@portico/observability/tracing';
import { bootstrapService, runMigrations, type RunningService } from '@portico/service-kit';
import {
  createTestDatabase,
  removeConsumerGroup,
  getTestKafka,
  testKafkaClient,
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
import { loadServiceConfig, type ClaimsConfig } from '../config';
import { claimsAppOptions } from '../server';

const CONSUMED = [CARRIER_TRACKING_TOPIC, NOTIFICATION_OUTREACH_TOPIC];

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type TrackingInit = Exclude<
  MessageInitShape<typeof carrier.TrackingEventRecordedSchema>,
  carrier.TrackingEventRecorded
>;

export type ReceivedClaimEvent = KeyedRecord<ClaimEvent>;

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

const fakeProcess = () => ({ on: () => undefined, removeListener: () => undefined, exit: () => undefined });

export class ClaimsHarness {
  readonly run = randomBytes(4).toString('hex');
  readonly tenant = `ten_it_${this.run}`;
  readonly group: string;
  readonly devTokenKey = randomBytes(32).toString('base64url');
  readonly notificationToken = randomBytes(32).toString('base64url');
  readonly instances: RunningService[] = [];
  readonly log = memoryLog();
  readonly spans = new InMemorySpanExporter();
  private db!: TestDatabase;
  private brokers!: string[];
  private producer!: Producer;
  private reader!: KeyedTopicReader<ClaimEvent>;
  pg!: Client;
  config!: ClaimsConfig;

  /** claims.claim.v1 records of this harness's parcels, in arrival order. */
  get received(): ReceivedClaimEvent[] {
    return this.reader.received;
  }

  private constructor(name: string) {
    this.group = `claims-${name}-${this.run}`;
  }

  static async start(name: string, env: Record<string, string> = {}): Promise<ClaimsHarness> {
    const h = new ClaimsHarness(name);
    startTracing({ serviceName: 'claims', spanProcessors: [new SimpleSpanProcessor(h.spans)] });
    await h.setUp(env);
    return h;
  }

  private async setUp(env: Record<string, string>): Promise<void> {
    ({ brokers: this.brokers } = await getTestKafka());
    this.db = await createTestDatabase('claims');
    const loaded = loadServiceConfig({
      DATABASE_URL: this.db.url,
      KAFKA_BROKERS: this.brokers.join(','),
      KAFKA_CLIENT_ID: this.group,
      KAFKA_CONSUMER_GROUP: this.group,
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '8000',
      TIMER_POLL_INTERVAL_MS: '100',
      CARRIER_WORKER_INTERVAL_MS: '100',
      AUTH_DEV_TOKEN_KEY: this.devTokenKey,
      AUTH_SERVICE_TOKENS: `notification=${this.notificationToken}`,
      AUTH_API_KEY_PEPPERS: `p1=${randomBytes(32).toString('base64url')}`,
      ...env,
    });
    this.config = { ...loaded, httpPort: 0 };
    await runMigrations(this.config, migrations, this.logger());
    await this.startGroupAtEnd();
    this.producer = createIdempotentProducer(
      createKafka({ brokers: this.brokers, clientId: `${this.group}-producer`, logLevel: logLevel.NOTHING }),
    );
    await this.producer.connect();
    this.pg = new Client({ connectionString: this.db.url });
    await this.pg.connect();
    this.reader = await readKeyedTopic(this.brokers, {
      topic: CLAIMS_CLAIM_TOPIC.name,
      groupId: `${this.group}-reader`,
      decode: (value) => fromBinary(ClaimEventSchema, value),
    });
  }

  /** The shared topics' history is other suites' business: this group starts at their ends. */
  private async startGroupAtEnd(): Promise<void> {
    const admin = testKafkaClient(this.brokers).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [...CONSUMED, CLAIMS_CLAIM_TOPIC]);
      for (const topic of CONSUMED) {
        const ends = await waitFor(() => admin.fetchTopicOffsets(topic.name).catch(() => undefined), {
          timeoutMs: 30_000,
          intervalMs: 250,
          description: `${topic.name} offsets`,
        });
        await admin.setOffsets({
          groupId: this.group,
          topic: topic.name,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async startInstance(): Promise<RunningService> {
    const service = await bootstrapService({
      module: AppModule.forRoot(this.config),
      config: this.config,
      ...claimsAppOptions(this.config),
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

  get url(): string {
    return this.instances[0]!.url;
  }

  parcel(suffix: string, carrierCode = 'it-express'): common.ParcelRef {
    const ref = parcelRef(carrierCode, `IT${this.run}${suffix}`.toUpperCase());
    this.reader.follow(ref.parcelId);
    return ref;
  }

  events(parcelId: string): ReceivedClaimEvent[] {
    return this.reader.of(parcelId);
  }

  eventCases(parcelId: string): string[] {
    return this.events(parcelId).map((r) => r.event.event.case ?? '');
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.pg.query(sql, params).then((r) => r.rows as T[]);
  }

  async waitProcessed(eventId: string): Promise<void> {
    await waitFor(
      async () =>
        (await this.query(`SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2`, [this.group, eventId]))
          .length > 0,
      { timeoutMs: 30_000, description: `event ${eventId} processed` },
    );
  }

  /** A tracking event as carrier-ingestion publishes it (JP -> CN, 1280 CNY declared unless `init` says otherwise). */
  /** A parcel the carrier reports `reason` (lost, damaged…) an hour ago: the claim it opened. */
  async claimFromException(
    suffix: string,
    reason: carrier.ExceptionReason,
    carrierCode?: string,
  ): Promise<{ ref: common.ParcelRef; id: string }> {
    const ref = this.parcel(suffix, carrierCode);
    await this.publishTracking(ref, {
      status: carrier.TrackingStatus.EXCEPTION,
      exceptionReason: reason,
      occurredAt: timestampFromDate(new Date(Date.now() - 3_600_000)),
    });
    const [row] = await this.query<{ id: string }>(`SELECT id FROM claims_claims WHERE parcel_id = $1`, [
      ref.parcelId,
    ]);
    if (!row) throw new Error(`no claim opened for ${ref.parcelId}`);
    return { ref, id: row.id };
  }

  async publishTracking(
    ref: common.ParcelRef,
    init: TrackingInit,
    options: { eventId?: string; tenantId?: string } = {},
  ) {
    const tenantId = options.tenantId ?? this.tenant;
    const message = create(TrackingStreamEventSchema, {
      event: {
        case: 'trackingEventRecorded',
        value: create(carrier.TrackingEventRecordedSchema, {
          parcel: ref,
          tenantId,
          provider: carrier.TrackingProvider.PORTICO_NATIVE,
          receivedAt: timestampFromDate(new Date()),
          rawStatusCode: 'IT',
          shipment: create(carrier.ShipmentDetailsSchema, {
            originCountryCode: 'JP',
            destinationCountryCode: 'CN',
            declaredValue: create(common.MoneySchema, { currencyCode: 'CNY', amountMinor: 128_000n }),
          }),
          ...init,
        }),
      },
    });
    const record = await this.send(
      CARRIER_TRACKING_TOPIC.name,
      TrackingStreamEventSchema,
      message,
      ref.parcelId,
      tenantId,
      options.eventId,
    );
    await this.waitProcessed(record.eventId);
    return record;
  }

  async publishOutreach(ref: common.ParcelRef, event: MessageInitShape<typeof OutreachEventSchema>['event']) {
    const message = create(OutreachEventSchema, { event } as MessageInitShape<typeof OutreachEventSchema>);
    const record = await this.send(
      NOTIFICATION_OUTREACH_TOPIC.name,
      OutreachEventSchema,
      message,
      ref.parcelId,
      this.tenant,
    );
    await this.waitProcessed(record.eventId);
    return record;
  }

  private async send<D extends DescMessage>(
    topic: string,
    schema: D,
    message: MessageShape<D>,
    key: string,
    tenantId: string,
    eventId?: string,
  ) {
    const record = encodeEvent({ schema, message, key, tenantId, ...(eventId ? { eventId } : {}) });
    await this.producer.send({
      topic,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } }],
    });
    return record;
  }

  /** `Authorization` for a person with `roles` of `tenantId` (operators: null). */
  async asPerson(roles: string[], tenantId: string | null = this.tenant, propertyIds: string[] = []) {
    const token = await signDevToken(
      { subject: `usr_it_${roles.join('_')}`, roles, tenantId, propertyIds },
      { key: this.devTokenKey, issuer: this.config.authIssuer, audience: this.config.authAudience },
    );
    return { authorization: `Bearer ${token}` };
  }

  asNotification(): Record<string, string> {
    return { authorization: `Bearer ${this.notificationToken}`, [SERVICE_NAME_HEADER]: 'notification' };
  }

  async request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  }

  /** "The clock jumps": due timers of a claim fire at the next poll. */
  async makeDue(keyPrefix: string): Promise<void> {
    await this.query(`UPDATE timers SET due_at = now() - interval '1 second' WHERE key LIKE $1`, [
      `${keyPrefix}%`,
    ]);
  }

  async stop(): Promise<void> {
    await this.reader?.close();
    await this.producer?.disconnect().catch(() => undefined);
    await this.pg?.end().catch(() => undefined);
    for (const s of [...this.instances]) await s.shutdown('test finished').catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (this.brokers) await removeConsumerGroup(this.brokers, this.group, CONSUMED);
  }

  private logger() {
    return createLogger({ serviceName: 'claims', level: 'debug', destination: this.log.stream });
  }
}
