// Boots id-vault for integration tests as it runs in production (its migrations, bootstrapService
// with vaultAppOptions, its own consumer group) against the real broker and a fresh Postgres
// database, and lets a test open a case the way clearance does (CaseOpened on clearance.case.v1).
// Shared by vault.int-spec.ts and resident/upload-page.browser.int-spec.ts.
import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { signDevToken } from '@portico/auth';
import {
  clearance,
  ClearanceCaseEventSchema,
  VAULT_DOCUMENT_TOPIC,
  VaultDocumentEventSchema,
  NOTIFICATION_OUTREACH_TOPIC,
  OutreachEventSchema,
  type ClearanceCaseEvent,
  type OutreachEvent,
  type VaultDocumentEvent,
  CLEARANCE_CASE_TOPIC,
  common,
  dlqTopicName,
  recipientDigest,
  retryTopicName,
  type ParcelRef,
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
import { migrations } from '../../migrations';
import { AppModule } from '../app.module';
import { idNumberCheckCharacter } from '../checks/id-number';
import { loadServiceConfig, type IdVaultConfig } from '../config';
import { vaultAppOptions } from '../server';

export const secret = () => randomBytes(32).toString('base64url');

/**
 * Personal data to seed a run with, unique per run so a spec can scan logs, events, buckets and
 * mails for it: a Chinese name and a GB 11643 number with a valid check character.
 */
export function seededPersonalData(): { name: string; idNumber: string } {
  const pick = (options: readonly string[]) => options[randomInt(options.length)]!;
  const name = `${pick(['欧阳', '司马', '诸葛'])}${pick(['婉', '清', '若'])}${pick(['雪', '晴', '岚'])}`;
  const first17 = `110105${1960 + randomInt(40)}0${1 + randomInt(9)}1${randomInt(10)}${String(randomInt(100, 999))}`;
  return { name, idNumber: first17 + idNumberCheckCharacter(first17) };
}

/** Everything the service logs, kept in memory so a test can scan it (for link secrets, personal data). */
export function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

const fakeProcess = () => ({ on: () => undefined, removeListener: () => undefined, exit: () => undefined });

export interface VaultHarnessOptions {
  /** Unique per test run: names the consumer group (topics are shared between runs). */
  readonly run: string;
  /** Further settings (VAULT_RELAY_DESTINATIONS, ...) on top of the ones every test needs. */
  readonly env?: Record<string, string>;
}

export interface OpenCase {
  readonly caseId: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly parcel: ParcelRef;
  /** The recipient's name as on the parcel; only its keyed digest reaches the vault. */
  readonly recipientName: string;
  readonly deadline?: Date;
}

export interface VaultHarness {
  readonly config: IdVaultConfig;
  readonly service: RunningService;
  readonly brokers: string[];
  readonly db: TestDatabase;
  /** A connection to the service's own database, for assertions on what is (not) stored. */
  readonly pg: Client;
  readonly producer: Producer;
  readonly log: { text(): string };
  /** Key the service accepts dev tokens (stewards) signed with. */
  readonly devTokenKey: string;
  /** Headers notification calls the internal API with. */
  readonly asNotification: Record<string, string>;
  /** Publishes CaseOpened as clearance does and waits until the vault has the case. */
  openCase(c: OpenCase): Promise<void>;
  /** Asks for an upload link as notification does; the raw answer. */
  requestLink(
    caseId: string,
    o?: { language?: 'zh' | 'en'; idempotencyKey?: string },
  ): Promise<{ status: number; json: { requestId?: string; uploadUrl?: string } }>;
  /** Publishes any clearance case event (CaseCleared, DocumentsRequested, ...) as clearance does. */
  publishCaseEvent(message: ClearanceCaseEvent, parcelId: string, tenantId: string): Promise<void>;
  /** Publishes an outreach event (RecipientResolved, ...) as notification does. */
  publishOutreachEvent(message: OutreachEvent, parcelId: string, tenantId: string): Promise<void>;
  /** An HTTP call to the service; JSON answers parsed. */
  call(path: string, o?: CallOptions): Promise<CallResult>;
  /** The resident's consent through their link token (JSON). */
  consent(token: string): Promise<CallResult>;
  /** The resident's multipart upload through their link token (JSON). */
  upload(token: string, sides: Record<string, Buffer>, typed?: Record<string, string>): Promise<CallResult>;
  /** A fresh link for the case, consent, and an upload of both sides of a card; the raw answer. */
  linkConsentAndUpload(
    caseId: string,
    sides: Record<string, Buffer>,
    typed?: Record<string, string>,
  ): Promise<{ token: string; res: CallResult }>;
  /** A dev token for a person (steward, manager, operator). */
  personToken(claims: {
    subject: string;
    roles: string[];
    tenantId?: string;
    propertyIds?: string[];
  }): Promise<string>;
  /** vault.document.v1 records keyed `parcelId`, from the start of the topic, once `done` holds. */
  eventsOf(
    parcelId: string,
    done: (events: VaultDocumentEvent[]) => boolean,
  ): Promise<Array<{ event: VaultDocumentEvent; raw: Buffer }>>;
  stop(): Promise<void>;
}

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly form?: FormData;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Buffer;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
  readonly json: Record<string, any>;
}

/** The token inside an upload URL (`…/u/<token>`). */
export const tokenOf = (uploadUrl: string) => uploadUrl.split('/u/')[1]!;

export async function startVault(options: VaultHarnessOptions): Promise<VaultHarness> {
  const log = memoryLog();
  const devTokenKey = secret();
  const digestKey = { id: 'k1', secret: secret() };
  const group = `id-vault-it-${options.run}`;
  const notificationToken = secret();

  const { brokers } = await getTestKafka();
  const db = await createTestDatabase('id_vault');
  const started: { service?: RunningService; producer?: Producer; pg?: Client } = {};
  const stop = async () => {
    await started.producer?.disconnect().catch(() => undefined);
    await started.pg?.end().catch(() => undefined);
    await started.service?.shutdown('test finished').catch(() => undefined);
    await db.drop().catch(() => undefined);
    await deleteTopics(
      brokers,
      [CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC].flatMap((t) => [
        retryTopicName(t, group),
        dlqTopicName(t, group),
      ]),
    ).catch(() => undefined);
  };
  try {
    const loaded = loadServiceConfig({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: group,
      KAFKA_CONSUMER_GROUP: group,
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '8000',
      AUTH_DEV_TOKEN_KEY: devTokenKey,
      AUTH_SERVICE_TOKENS: `notification=${notificationToken}`,
      RECIPIENT_DIGEST_KEYS: `${digestKey.id}=${digestKey.secret}`,
      VAULT_KEKS: `k1=${randomBytes(32).toString('base64')}`,
      VAULT_TIMER_POLL_INTERVAL_MS: '100',
      ...options.env,
    });
    const config: IdVaultConfig = { ...loaded, httpPort: 0 };
    const logger = createLogger({ serviceName: config.serviceName, level: 'debug', destination: log.stream });
    await runMigrations(config, migrations, logger);
    const service = (started.service = await bootstrapService({
      module: AppModule.forRoot(config),
      config,
      ...vaultAppOptions(config),
      logger,
      process: fakeProcess(),
    }));
    const producer = (started.producer = createIdempotentProducer(
      createKafka({ brokers, clientId: `${group}-producer`, logLevel: logLevel.NOTHING }),
    ));
    await producer.connect();
    const pg = (started.pg = new Client({ connectionString: db.url }));
    await pg.connect();
    const asNotification = {
      'x-portico-service': 'notification',
      authorization: `Bearer ${notificationToken}`,
    };
    const publishCaseEvent = async (message: ClearanceCaseEvent, parcelId: string, tenantId: string) => {
      const record = encodeEvent({ schema: ClearanceCaseEventSchema, message, key: parcelId, tenantId });
      await producer.send({
        topic: CLEARANCE_CASE_TOPIC.name,
        messages: [{ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } }],
      });
    };
    const publishOutreachEvent = async (message: OutreachEvent, parcelId: string, tenantId: string) => {
      const record = encodeEvent({ schema: OutreachEventSchema, message, key: parcelId, tenantId });
      await producer.send({
        topic: NOTIFICATION_OUTREACH_TOPIC.name,
        messages: [{ key: record.key, value: Buffer.from(record.value), headers: { ...record.headers } }],
      });
    };
    const call = async (path: string, o: CallOptions = {}): Promise<CallResult> => {
      const res = await fetch(`${service.url}${path}`, {
        method: o.method ?? 'GET',
        headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        body: o.form ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString('utf8');
      let json: CallResult['json'] = {};
      try {
        json = JSON.parse(text) as CallResult['json'];
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, bytes, text, json };
    };

    return {
      config,
      service,
      brokers,
      db,
      pg,
      producer,
      log,
      devTokenKey,
      asNotification,
      stop,
      publishCaseEvent,
      publishOutreachEvent,
      call,
      consent: (token) =>
        call(`/u/${token}/consent`, { method: 'POST', headers: { accept: 'application/json' } }),
      upload(token, sides, typed = {}) {
        const form = new FormData();
        form.set('documentType', 'resident_id_card');
        for (const [k, v] of Object.entries(typed)) form.set(k, v);
        for (const [side, bytes] of Object.entries(sides))
          form.set(side, new Blob([bytes], { type: 'image/jpeg' }), `${side}.jpg`);
        return call(`/u/${token}/documents`, {
          method: 'POST',
          headers: { accept: 'application/json' },
          form,
        });
      },
      async linkConsentAndUpload(caseId, sides, typed) {
        const self = this as VaultHarness;
        const link = await self.requestLink(caseId);
        if (link.status !== 201) throw new Error(`upload link refused: ${link.status}`);
        const token = tokenOf(link.json.uploadUrl!);
        const consented = await self.consent(token);
        if (consented.status !== 201) throw new Error(`consent refused: ${consented.status}`);
        return { token, res: await self.upload(token, sides, typed) };
      },
      personToken: (claims) =>
        signDevToken(claims, { key: devTokenKey, issuer: config.authIssuer, audience: config.authAudience }),
      async eventsOf(parcelId, done) {
        const consumer = testKafkaClient(brokers).consumer({
          groupId: `vault-it-reader-${secret().slice(0, 8)}`,
        });
        const found: Array<{ event: VaultDocumentEvent; raw: Buffer }> = [];
        await consumer.connect();
        try {
          await consumer.subscribe({ topics: [VAULT_DOCUMENT_TOPIC.name], fromBeginning: true });
          await consumer.run({
            eachMessage: async ({ message }) => {
              if (message.key?.toString() !== parcelId || !message.value) return;
              found.push({ event: fromBinary(VaultDocumentEventSchema, message.value), raw: message.value });
            },
          });
          await waitFor(() => done(found.map((f) => f.event)), {
            timeoutMs: 30_000,
            description: 'vault events',
          });
          return found;
        } finally {
          await consumer.disconnect();
        }
      },
      async openCase(c) {
        const opened = create(ClearanceCaseEventSchema, {
          event: {
            case: 'caseOpened',
            value: create(clearance.CaseOpenedSchema, {
              caseId: c.caseId,
              tenantId: c.tenantId,
              parcel: c.parcel,
              propertyId: c.propertyId,
              state: clearance.CaseState.OPENED,
              occurredAt: timestampFromDate(new Date()),
              requiredDocuments: [common.DocumentType.RESIDENT_ID_CARD],
              deadline: timestampFromDate(c.deadline ?? new Date(Date.now() + 5 * 86_400_000)),
              recipientNameDigest: recipientDigest('name', c.recipientName, digestKey),
            }),
          },
        });
        await publishCaseEvent(opened, c.parcel.parcelId, c.tenantId);
        await waitFor(
          async () =>
            (await pg.query('SELECT 1 FROM vault_cases WHERE case_id = $1', [c.caseId])).rowCount === 1,
          { timeoutMs: 30_000, description: 'the case reaches the vault' },
        );
      },
      async requestLink(caseId, o = {}) {
        const res = await fetch(`${service.url}/internal/v1/upload-requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...asNotification },
          body: JSON.stringify({
            caseId,
            language: o.language ?? 'zh',
            ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
          }),
        });
        const text = await res.text();
        let json = {};
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        return { status: res.status, json };
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
