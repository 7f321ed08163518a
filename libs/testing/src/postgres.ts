import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dockerAvailable } from './docker';
import { readTestEnvironment } from './environment';
import { announce, once, resolveSource } from './infrastructure';
import { LOCAL_POSTGRES_URL } from './local-services';
import { redactUrl, uniqueDatabaseName, withDatabase } from './names';

export interface TestPostgres {
  /** Connects as a role that may CREATE/DROP DATABASE; tests get their own database from it. */
  readonly adminUrl: string;
}

export interface TestDatabase {
  readonly name: string;
  /** The fresh database, same credentials and host as the admin URL. */
  readonly url: string;
  /** Drops it WITH (FORCE): connections a test left open do not block the drop. Idempotent. */
  drop(): Promise<void>;
}

/** The major version the machines run (PostgreSQL 15). */
export const POSTGRES_CONTAINER_IMAGE = 'postgres:15-alpine';

const postgres = once(async (): Promise<TestPostgres> => {
  const resolved = await resolveSource<string>({
    fromEnv: () => readTestEnvironment().databaseUrl,
    dockerAvailable,
    fromContainer: startPostgresContainer,
    fromLocal: ensureLocalPostgres,
  });
  announce('postgres', resolved, redactUrl(resolved.value));
  return { adminUrl: resolved.value };
});

/**
 * A PostgreSQL server for integration tests: DATABASE_URL when set, else a Testcontainers
 * PostgreSQL when a Docker engine answers, else the local one on 127.0.0.1:5432. Resolved once per
 * module instance. Tests should not write to it directly but take a createTestDatabase().
 */
export function getTestPostgres(): Promise<{ adminUrl: string }> {
  return postgres.get();
}

/**
 * A fresh, uniquely named database (`<prefix>_test_<8 hex>`) for one test file, so files can run
 * in any order, in parallel, and migrations run from scratch. Call drop() in afterAll.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const { adminUrl } = await getTestPostgres();
  const name = uniqueDatabaseName(prefix);
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
  let dropped = false;
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      if (dropped) return;
      await withAdminClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      );
      dropped = true;
    },
  };
}

export interface MigratedTestDatabase extends TestDatabase {
  /** Initialised, migrated; destroyed by drop(). */
  readonly dataSource: DataSource;
}

/**
 * createTestDatabase plus a TypeORM DataSource with `migrations` run, the way a service migrates its
 * own database: the scratch database most integration specs of a library or a service feature need.
 * `setupSql` adds what only the test needs (e.g. a side-effects table for test handlers).
 */
export async function createMigratedTestDatabase(
  prefix: string,
  migrations: NonNullable<DataSourceOptions['migrations']>,
  options: { poolSize?: number; setupSql?: readonly string[] } = {},
): Promise<MigratedTestDatabase> {
  const db = await createTestDatabase(prefix);
  const dataSource = new DataSource({
    type: 'postgres',
    url: db.url,
    migrations,
    synchronize: false,
    extra: { max: options.poolSize ?? 12 },
  });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    for (const sql of options.setupSql ?? []) await dataSource.query(sql);
  } catch (e) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await db.drop();
    throw e;
  }
  return {
    ...db,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    },
  };
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function ensureLocalPostgres(): Promise<string> {
  try {
    await withAdminClient(LOCAL_POSTGRES_URL, (client) => client.query('SELECT 1'));
  } catch (err) {
    // Unlike Kafka, tests do not start Postgres: it is a system service on these machines.
    throw new Error(
      `no PostgreSQL at ${LOCAL_POSTGRES_URL} (${err instanceof Error ? err.message : String(err)}); ` +
        'set DATABASE_URL, or start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)',
    );
  }
  return LOCAL_POSTGRES_URL;
}

async function startPostgresContainer(): Promise<string> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_CONTAINER_IMAGE).start();
  // The image's POSTGRES_USER is a superuser, so its URL serves as the admin URL.
  return container.getConnectionUri();
}
