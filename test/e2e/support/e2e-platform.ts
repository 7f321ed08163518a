// The platform the cross-service suites run against: every service a real process from its build,
// each with a fresh database, the real broker, and in-test receivers for what leaves the platform
// (OTLP spans, the resident's e-mail over real SMTP, the SIMULATED property system's and carrier
// relay's signed webhooks). The walking skeleton and the console's browser e2e share it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import { createTestDatabase, getTestKafka, type TestDatabase } from '@portico/testing';
import { SmtpSink, type ReceivedMail } from '@portico/testing/smtp';
import {
  PorticoPlatformClient,
  SimulatedCarrierRelay,
  SimulatedPropertySystem,
} from '@portico/testing/platform';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { OtlpReceiver } from './otlp-receiver';
import { freePort, REPO_ROOT, ServiceProcess } from './service-process';

export const BACKEND_SERVICES = [
  'carrier-ingestion',
  'clearance',
  'id-vault',
  'notification',
  'claims',
] as const;
export type ServiceName = (typeof BACKEND_SERVICES)[number] | 'console';

export const secret = (bytes = 32) => randomBytes(bytes).toString('base64url');

export interface E2ePlatformOptions {
  /** Where the services' logs go (test-artifacts/<suite>). */
  artifacts: string;
  /** Also start the steward console (its upstream URLs pointing at the real services). */
  withConsole?: boolean;
}

/** Every row of every table of a database, as text (for the personal-data scans). */
export async function dumpDatabase(url: string): Promise<string> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const { rows: tables } = await pg.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const parts: string[] = [];
    for (const t of tables) {
      const { rows } = await pg.query<{ row: string }>(`SELECT t::text AS row FROM ${t.name} t`);
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await pg.end();
  }
}

export class E2ePlatform {
  readonly otlp = new OtlpReceiver();
  readonly relaySecret = `whsec_${randomBytes(24).toString('base64')}`;
  readonly carrierRelay = new SimulatedCarrierRelay(this.relaySecret);
  readonly propertySystem = new SimulatedPropertySystem();
  readonly smtp = new SmtpSink();
  readonly databaseOf = new Map<ServiceName, TestDatabase>();
  readonly processes = new Map<ServiceName, ServiceProcess>();
  readonly devTokenKey = secret();
  readonly runId = randomBytes(4).toString('hex');
  tokens: Record<string, string> = {};
  brokers: string[] = [];
  propertySystemUrl = '';
  client!: PorticoPlatformClient;

  constructor(private readonly options: E2ePlatformOptions) {}

  service(name: ServiceName): ServiceProcess {
    const found = this.processes.get(name);
    if (!found) throw new Error(`${name} is not part of this platform`);
    return found;
  }

  /** Fresh databases, migrations, then the services one after the other (two cores; each start provisions topics). */
  async start(): Promise<void> {
    ({ brokers: this.brokers } = await getTestKafka());
    const otlpUrl = await this.otlp.start();
    const relayUrl = await this.carrierRelay.start();
    this.propertySystemUrl = await this.propertySystem.start();
    await this.smtp.start();
    // the console holds a token too: carrier-ingestion's tracking history answers service `console` only
    this.tokens = Object.fromEntries([...BACKEND_SERVICES, 'console'].map((s) => [s, secret()]));
    const shared = {
      KAFKA_BROKERS: this.brokers.join(','),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
      LOG_LEVEL: 'info',
      AUTH_DEV_TOKEN_KEY: this.devTokenKey,
      AUTH_SERVICE_TOKENS: Object.entries(this.tokens)
        .map(([s, token]) => `${s}=${token}`)
        .join(','),
      AUTH_API_KEY_PEPPERS: `p1=${secret()}`,
      RECIPIENT_DIGEST_KEYS: `k1=${secret()}`,
      CARRIER_SECRETS_KEY: randomBytes(32).toString('base64'),
      VAULT_KEKS: `k1=${randomBytes(32).toString('base64')}`,
      VAULT_RELAY_DESTINATIONS: JSON.stringify({ default: { url: relayUrl, secret: this.relaySecret } }),
      SHUTDOWN_TIMEOUT_MS: '8000',
    };
    const names: ServiceName[] = [
      ...BACKEND_SERVICES,
      ...(this.options.withConsole ? (['console'] as const) : []),
    ];
    for (const name of names) {
      const db = await createTestDatabase(`e2e_${name.replace(/-/g, '_')}`);
      this.databaseOf.set(name, db);
      const port = await freePort();
      const group = `e2e-${this.runId}-${name}`;
      const service = new ServiceProcess(
        name,
        port,
        {
          ...shared,
          // Links and grant URLs the vault hands out point at where it really listens.
          ...(name === 'id-vault' ? { VAULT_PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
          ...(name === 'notification' ? this.notificationSettings() : {}),
          ...(name === 'console' ? this.consoleSettings() : {}),
          DATABASE_URL: db.url,
          // Groups of their own: a platform started with `npm run up` may be consuming the same topics.
          KAFKA_CONSUMER_GROUP: group,
          INTERNAL_SERVICE_TOKEN: this.tokens[name] ?? secret(),
        },
        this.options.artifacts,
      );
      service.migrate();
      // The console's live updates only need what comes next; a new group would replay both topics first.
      if (name === 'console') await this.skipHistory(group);
      this.processes.set(name, service);
    }
    for (const service of this.processes.values()) await service.start();

    this.client = new PorticoPlatformClient(
      {
        carrierIngestion: this.service('carrier-ingestion').baseUrl,
        clearance: this.service('clearance').baseUrl,
        notification: this.service('notification').baseUrl,
        idVault: this.service('id-vault').baseUrl,
      },
      { devTokenKey: this.devTokenKey, notificationServiceToken: this.tokens.notification },
    );
  }

  async stop(): Promise<void> {
    for (const service of this.processes.values()) await service.stop('SIGTERM').catch(() => undefined);
    await this.otlp.stop();
    await this.carrierRelay.stop();
    await this.propertySystem.stop();
    await this.smtp.stop();
    for (const db of this.databaseOf.values()) await db.drop().catch(() => undefined);
  }

  /** The mail notification sent to `address` (the resident's carries the one-time upload link). */
  mailTo(address: string): ReceivedMail | undefined {
    return this.smtp.received.find((mail) => mail.to.includes(address));
  }

  /** Every service database but id-vault's, as text. */
  async databaseDumps(): Promise<Map<ServiceName, string>> {
    return new Map(
      await Promise.all(
        [...this.databaseOf]
          .filter(([name]) => name !== 'id-vault')
          .map(async ([name, db]) => [name, await dumpDatabase(db.url)] as const),
      ),
    );
  }

  /**
   * A local console account through the console's own command (the password on standard input,
   * never in argv or the environment), bound to a person of the directory.
   */
  createConsoleAccount(account: {
    username: string;
    subject: string;
    roles: string[];
    tenantId: string;
    propertyIds: string[];
    password: string;
  }): void {
    const { password, ...rest } = account;
    const result = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'services/console/dist/src/accounts.js'), JSON.stringify(rest)],
      {
        input: password,
        env: { ...process.env, DATABASE_URL: this.databaseOf.get('console')!.url },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0)
      throw new Error(`console accounts command failed:\n${result.stdout}\n${result.stderr}`);
  }

  /** notification's channels and id-vault link requests and outbound webhooks, all local. */
  private notificationSettings(): Record<string, string> {
    return {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.smtp.port),
      SMTP_FROM: 'Portico <no-reply@portico.test>',
      VAULT_INTERNAL_URL: this.service('id-vault').baseUrl,
      VAULT_SERVICE_TOKEN: this.tokens.notification!,
      MESSAGE_WORKER_POLL_INTERVAL_MS: '200',
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_PRIVATE_NETWORKS: '127.0.0.1/32',
      WEBHOOK_POLL_INTERVAL_MS: '200',
    };
  }

  /** The console calls the real services server-side, as the signed-in person. */
  private consoleSettings(): Record<string, string> {
    return {
      CONSOLE_NOTIFICATION_URL: this.service('notification').baseUrl,
      CONSOLE_VAULT_URL: this.service('id-vault').baseUrl,
      CONSOLE_CLEARANCE_URL: this.service('clearance').baseUrl,
      CONSOLE_CLAIMS_URL: this.service('claims').baseUrl,
      CONSOLE_CARRIER_INGESTION_URL: this.service('carrier-ingestion').baseUrl,
      CONSOLE_VAULT_PUBLIC_URL: this.service('id-vault').baseUrl,
    };
  }

  private async skipHistory(groupId: string): Promise<void> {
    const kafka = new Kafka({
      clientId: `e2e-${this.runId}-admin`,
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      for (const topic of [NOTIFICATION_OUTREACH_TOPIC.name, CLEARANCE_CASE_TOPIC.name])
        if (topics.includes(topic)) await admin.resetOffsets({ groupId, topic, earliest: false });
    } finally {
      await admin.disconnect();
    }
  }
}
