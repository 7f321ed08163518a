// Integration-test harness of notification (not loaded by the application): the service exactly as
// in production (bootstrapService, its migrations, a consumer group of its own) on the real broker
// and a scratch Postgres database, plus what the specs do to it: person tokens, HTTP calls, events
// published the way carrier-ingestion and clearance publish them, and a reader of the outreach
// topic. Tenant, ids and tracking numbers are unique per harness, since topics are shared.
import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { create, fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { signDevToken } from '@portico/auth';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  clearance,
  ClearanceCaseEventSchema,
  CLEARANCE_CASE_TOPIC,
  common,
  dlqTopicName,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  parcelRef,
  recipientDigest,
  retryTopicName,
  TrackingStreamEventSchema,
  type OutreachEvent,
} from '@portico/contracts';
import { createIdempotentProducer, createKafka, encodeEvent } from '@portico/messaging';
import { createLogger } from '@portico/observability';
import { bootstrapService, runMigrations, type RunningService } from '@portico/service-kit';
import {
  createTestDatabase,
  deleteTopics,
  getTestKafka,
  testKafkaClient,
  waitFor,
  type TestDatabase,
} from '@portico/testing';
import { logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { migrations } from '../migrations';
import { AppModule } from './app.module';
import { loadServiceConfig, settings, type NotificationConfig } from './config';

/** A record as a test reads it back. */
export interface ReceivedRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export interface OutreachRecord {
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly event: OutreachEvent['event'];
}

const secret = () => randomBytes(32).toString('base64url');
const fakeProcess = () => ({ on: () => undefined, removeListener: () => undefined, exit: () => undefined });

export class NotificationHarness {
  readonly run = randomBytes(4).toString('hex');
  readonly tenantId: string;
  readonly group = `notification-it-${this.run}`;
  readonly digestKey = { id: 'k1', secret: secret() };
  private readonly devTokenKey = secret();
  private readonly lines: string[] = [];
  config!: NotificationConfig;
  service!: RunningService;
  pg!: Client;
  private db!: TestDatabase;
  private brokers!: string[];
  private producer!: Producer;

  private constructor(tenantId?: string) {
    this.tenantId = tenantId ?? `ten_it_${this.run}`;
  }

  /**
   * Starts notification with `env` on top of the test settings (e.g. short SLAs); `tenantId` is
   * the tenant the published events belong to (default: one unique to the harness).
   */
  static async start(
    env: Record<string, string> = {},
    options: { tenantId?: string } = {},
  ): Promise<NotificationHarness> {
    const h = new NotificationHarness(options.tenantId);
    await h.boot(env);
    return h;
  }

  private async boot(env: Record<string, string>): Promise<void> {
    ({ brokers: this.brokers } = await getTestKafka());
    this.db = await createTestDatabase('notification');
    const loaded = loadServiceConfig({
      DATABASE_URL: this.db.url,
      KAFKA_BROKERS: this.brokers.join(','),
      KAFKA_CLIENT_ID: this.group,
      KAFKA_CONSUMER_GROUP: this.group,
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '8000',
      TIMER_POLL_INTERVAL_MS: '100',
      AUTH_DEV_TOKEN_KEY: this.devTokenKey,
      AUTH_API_KEY_PEPPERS: `p1=${secret()}`,
      RECIPIENT_DIGEST_KEYS: `${this.digestKey.id}=${this.digestKey.secret}`,
      ...env,
    });
    // Any free port (HTTP_PORT itself must be a real one).
    this.config = { ...loaded, httpPort: 0 };
    await runMigrations(this.config, migrations, this.logger());
    await this.startService();
    this.producer = createIdempotentProducer(
      createKafka({
        brokers: this.brokers,
        clientId: `${this.group}-test-producer`,
        logLevel: logLevel.NOTHING,
      }),
    );
    await this.producer.connect();
    this.pg = new Client({ connectionString: this.db.url });
    await this.pg.connect();
  }

  private logger() {
    const lines = this.lines;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return createLogger({ serviceName: this.config.serviceName, level: 'debug', destination });
  }

  private async startService(): Promise<void> {
    this.service = await bootstrapService({
      module: AppModule.forRoot(this.config),
      config: this.config,
      settings,
      logger: this.logger(),
      process: fakeProcess(),
    });
  }

  /** A graceful stop and a fresh start on the same database, as a deploy or a crash-restart does. */
  async restart(): Promise<void> {
    await this.service.shutdown('test restart');
    await this.startService();
  }

  /** Everything the service logged so far. */
  logs(): string {
    return this.lines.join('');
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.pg?.end().catch(() => undefined);
    await this.service?.shutdown('test finished').catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (!this.brokers) return;
    // The group's own retry/DLQ topics and offsets; the shared stream topics stay.
    const derived = [CARRIER_TRACKING_TOPIC, CLEARANCE_CASE_TOPIC].flatMap((t) => [
      retryTopicName(t, this.group),
      dlqTopicName(t, this.group),
    ]);
    await deleteTopics(this.brokers, derived).catch(() => undefined);
    const admin = testKafkaClient(this.brokers).admin();
    await admin.connect();
    await admin.deleteGroups([this.group, `${this.group}.retry`]).catch(() => undefined);
    await admin.disconnect();
  }

  token(
    roles: string[],
    options: { subject?: string; propertyIds?: string[]; tenantId?: string | null } = {},
  ) {
    return signDevToken(
      {
        subject: options.subject ?? `it-${roles.join('-')}`,
        roles,
        tenantId: options.tenantId === null ? undefined : (options.tenantId ?? this.tenantId),
        propertyIds: options.propertyIds ?? [],
      },
      { key: this.devTokenKey, issuer: this.config.authIssuer, audience: this.config.authAudience },
    );
  }

  operator() {
    return this.token(['operator'], { tenantId: null });
  }

  /** An HTTP call: `body` goes as JSON, `raw` as it is (with `contentType`, default text/csv). */
  async call(
    path: string,
    options: {
      method?: string;
      token?: string;
      body?: unknown;
      raw?: string | Uint8Array;
      contentType?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    const json = options.body !== undefined && options.raw === undefined;
    const contentType = options.raw !== undefined ? (options.contentType ?? 'text/csv') : 'application/json';
    const res = await fetch(`${this.service.url}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(json || options.raw !== undefined ? { 'content-type': contentType } : {}),
        ...options.headers,
      },
      body: options.raw ?? (json ? JSON.stringify(options.body) : undefined),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async importDirectory(body: unknown): Promise<void> {
    const res = await this.call('/v1/directory/import', {
      method: 'POST',
      token: await this.operator(),
      body,
    });
    if (res.status !== 200) throw new Error(`directory import answered ${res.status}: ${res.text}`);
  }

  /**
   * The directory most message specs need: one Shanghai property taking direct outreach
   * (`<label> Court`, at `<run> <label> Road`, 200120) with one resident and its on-duty steward
   * reached by e-mail; ids `prop_/res_/stf_/unit_<prefix>_<run>`. Returns the ids and the address
   * `openDocumentsTask` wants.
   */
  async importResidentAndSteward(o: {
    prefix: string;
    label: string;
    person: { name: string; phone: string; unit: string };
    email: string;
    consent: { sms: boolean; email: boolean; wecom: boolean };
    channelPreferences: string[];
    stewardEmail: string;
  }) {
    const r = this.run;
    const ids = {
      property: `prop_${o.prefix}_${r}`,
      resident: `res_${o.prefix}_${r}`,
      steward: `stf_${o.prefix}_${r}`,
    };
    const address = { postalCode: '200120', addressLine: `${r} ${o.label} Road` };
    await this.importDirectory({
      tenant: { id: this.tenantId, name: `${o.label} Residences ${r}` },
      properties: [
        {
          id: ids.property,
          name: `${o.label} Court ${r}`,
          address: { country: 'CN', region: 'Shanghai', city: 'Shanghai', district: 'Pudong', ...address },
          residentOutreach: 'direct',
          units: [
            {
              id: `unit_${o.prefix}_${r}`,
              label: o.person.unit,
              residents: [
                {
                  id: ids.resident,
                  name: o.person.name,
                  phone: o.person.phone,
                  email: o.email,
                  language: 'zh',
                  consent: o.consent,
                  channelPreferences: o.channelPreferences,
                },
              ],
            },
          ],
        },
      ],
      staff: [
        {
          id: ids.steward,
          name: `Steward ${r}`,
          role: 'steward',
          language: 'zh',
          channel: { kind: 'email', address: o.stewardEmail },
          propertyIds: [ids.property],
          onDuty: true,
        },
      ],
    });
    return { ...ids, address };
  }

  parcel(suffix: string): common.ParcelRef {
    return parcelRef('it-express', `IT${this.run}${suffix}`);
  }

  /** Publishes like the owning service would; the same `eventId` again is a redelivery. */
  async publish<D extends DescMessage>(
    topic: string,
    schema: D,
    message: MessageShape<D>,
    key: string,
    eventId?: string,
  ) {
    const record = encodeEvent({ schema, message, key, tenantId: this.tenantId, eventId });
    await this.producer.send({
      topic,
      messages: [{ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } }],
    });
    return record;
  }

  /**
   * A customs hold with a recipient hint, as carrier-ingestion publishes it (digests, never
   * values), once notification has projected it.
   */
  async publishHold(
    ref: common.ParcelRef,
    recipient: {
      name: string;
      phone: string;
      postalCode: string;
      addressLine: string;
      unit: string;
      /** The place fields carriers send more or less of (default: none). */
      countryCode?: string;
      region?: string;
      city?: string;
      district?: string;
    },
  ): Promise<void> {
    const event = create(TrackingStreamEventSchema, {
      event: {
        case: 'trackingEventRecorded',
        value: create(carrier.TrackingEventRecordedSchema, {
          parcel: ref,
          tenantId: this.tenantId,
          provider: carrier.TrackingProvider.PORTICO_NATIVE,
          sourceEventId: `src-${ref.trackingNumber}`,
          status: carrier.TrackingStatus.CUSTOMS_HOLD,
          customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
          occurredAt: timestampFromDate(new Date()),
          receivedAt: timestampFromDate(new Date()),
          rawStatusCode: 'CUSTOMS_ID_REQUIRED',
          recipient: create(carrier.RecipientHintSchema, {
            countryCode: recipient.countryCode ?? '',
            region: recipient.region ?? '',
            city: recipient.city ?? '',
            district: recipient.district ?? '',
            postalCode: recipient.postalCode,
            addressLine: recipient.addressLine,
            unit: recipient.unit,
            nameDigest: recipientDigest('name', recipient.name, this.digestKey),
            phoneDigest: recipientDigest('phone', recipient.phone, this.digestKey),
          }),
        }),
      },
    });
    await this.publish(CARRIER_TRACKING_TOPIC.name, TrackingStreamEventSchema, event, ref.parcelId);
    await waitFor(
      async () =>
        (
          await this.pg.query(`SELECT 1 FROM parcel_projection WHERE tenant_id = $1 AND parcel_id = $2`, [
            this.tenantId,
            ref.parcelId,
          ])
        ).rows.length > 0,
      { timeoutMs: 30_000, description: 'the parcel projection' },
    );
  }

  async publishDocumentsRequested(
    ref: common.ParcelRef,
    caseId: string,
    options: { deadline: Date; round?: number; expedited?: boolean },
  ): Promise<void> {
    const event = create(ClearanceCaseEventSchema, {
      event: {
        case: 'documentsRequested',
        value: create(clearance.DocumentsRequestedSchema, {
          caseId,
          tenantId: this.tenantId,
          parcel: ref,
          state: clearance.CaseState.AWAITING_DOCUMENTS,
          occurredAt: timestampFromDate(new Date()),
          requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
          deadline: timestampFromDate(options.deadline),
          round: options.round ?? 1,
          expedited: options.expedited ?? false,
        }),
      },
    });
    await this.publish(CLEARANCE_CASE_TOPIC.name, ClearanceCaseEventSchema, event, ref.parcelId);
  }

  /**
   * A documents task for `who`: their parcel's hold (address + unit + name) and clearance's
   * DocumentsRequested, then the task. `beforeRequest` runs with the case id first (a vault
   * simulator learns the case there).
   */
  async openDocumentsTask(
    suffix: string,
    who: { name: string; phone: string; unit: string },
    address: { postalCode: string; addressLine: string },
    options: { deadline?: Date; beforeRequest?: (caseId: string) => void } = {},
  ): Promise<{ ref: common.ParcelRef; caseId: string; taskId: string }> {
    const ref = this.parcel(suffix);
    const caseId = `case_${this.run}_${suffix}`;
    options.beforeRequest?.(caseId);
    await this.publishHold(ref, { name: who.name, phone: who.phone, ...address, unit: who.unit });
    await this.publishDocumentsRequested(ref, caseId, {
      deadline: options.deadline ?? new Date(Date.now() + 72 * 3600_000),
    });
    const [task] = await this.tasksOf(ref.parcelId);
    return { ref, caseId, taskId: task!.id as string };
  }

  /** A clearance case event for the parcel, as clearance publishes it (same `eventId` = redelivery). */
  publishCase(ref: common.ParcelRef, value: clearance.ClearanceCaseEvent['event'], eventId?: string) {
    return this.publish(
      CLEARANCE_CASE_TOPIC.name,
      ClearanceCaseEventSchema,
      create(ClearanceCaseEventSchema, { event: value }),
      ref.parcelId,
      eventId,
    );
  }

  /** The property's quiet hours: from an hour ago to two hours ahead, in its own time zone. */
  async quietHoursAroundNow(propertyId: string): Promise<void> {
    await this.pg.query(
      `UPDATE properties
          SET quiet_hours_start = (now() AT TIME ZONE time_zone - interval '1 hour')::time,
              quiet_hours_end = (now() AT TIME ZONE time_zone + interval '2 hours')::time
        WHERE id = $1`,
      [propertyId],
    );
  }

  /** `GET /v1/outreach/tasks?<query>` (as an operator unless `bearer` is given); asserts 200. */
  async tasks(query: string, bearer?: string): Promise<Record<string, unknown>[]> {
    const res = await this.call(`/v1/outreach/tasks?${query}`, { token: bearer ?? (await this.operator()) });
    if (res.status !== 200) throw new Error(`task list answered ${res.status}: ${res.text}`);
    return res.json.items as Record<string, unknown>[];
  }

  /** The parcel's tasks as an operator sees them, once there is at least one. */
  async tasksOf(parcelId: string): Promise<Record<string, unknown>[]> {
    const bearer = await this.operator();
    return waitFor(
      async () => {
        const res = await this.call(`/v1/outreach/tasks?parcelId=${parcelId}`, { token: bearer });
        const items = res.json.items as Record<string, unknown>[] | undefined;
        return items && items.length > 0 ? items : undefined;
      },
      { timeoutMs: 30_000, description: 'an outreach task for the parcel' },
    );
  }

  /** Records of `topics` (from the beginning) accepted by `keep`, once `done` says enough arrived. */
  async readRecords(
    topics: string[],
    keep: (r: ReceivedRecord) => boolean,
    done: (found: ReceivedRecord[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<ReceivedRecord[]> {
    const consumer = testKafkaClient(this.brokers).consumer({
      groupId: `${this.group}-reader-${randomBytes(4).toString('hex')}`,
    });
    const found: ReceivedRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          const r = {
            topic,
            key: message.key?.toString() ?? '',
            value: message.value ?? Buffer.alloc(0),
            headers,
          };
          if (keep(r)) found.push(r);
        },
      });
      await waitFor(() => done(found), { timeoutMs, description: `records on ${topics.join(', ')}` });
      return found;
    } finally {
      await consumer.disconnect();
    }
  }

  /** Outreach events keyed by one of `keys` (from the topic's start), once `done` says enough arrived. */
  async outreachEvents(
    keys: ReadonlySet<string>,
    done: (found: OutreachRecord[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<OutreachRecord[]> {
    const decode = (r: ReceivedRecord): OutreachRecord => ({
      key: r.key,
      headers: r.headers,
      event: fromBinary(OutreachEventSchema, r.value).event,
    });
    const records = await this.readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (r) => keys.has(r.key),
      (found) => done(found.map(decode)),
      timeoutMs,
    );
    return records.map(decode);
  }
}

/** A name and phone number unique to the run, so scans for them cannot match anything else. */
export function uniqueResident(): { name: string; phone: string } {
  const surnames = ['欧阳', '司马', '上官', '诸葛', '东方'];
  const given = ['婉', '清', '若', '雪', '晴', '岚', '瑶', '瑾', '珂', '璇'];
  const pick = (xs: string[]) => xs[randomInt(xs.length)] as string;
  return {
    name: `${pick(surnames)}${pick(given)}${pick(given)}${pick(given)}`,
    phone: `13${randomInt(5, 10)}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`,
  };
}
