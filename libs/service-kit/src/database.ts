import {
  Global,
  Inject,
  Injectable,
  Module,
  Optional,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { runStatementsUnnamed } from '@portico/messaging';
import { createLogger, databaseReadiness, ReadinessRegistry, type Logger } from '@portico/observability';
import type { LevelWithSilent } from 'pino';
import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger, type MixedList } from 'typeorm';

/** A TypeORM migration class (what `migrations/index.ts` of a service exports a list of). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationClass = Function;

export interface DatabaseConfig {
  serviceName: string;
  databaseUrl: string;
  /** DATABASE_PREPARED_STATEMENTS (default true): false runs every statement unnamed. */
  databasePreparedStatements?: boolean;
}

export interface DatabaseOptions {
  /** Entities not registered through `TypeOrmModule.forFeature` (normally none: features register their own). */
  entities?: MixedList<string | (new () => unknown)>;
  poolSize?: number;
  /** Connection attempts at start before the service gives up (1 s apart). */
  connectAttempts?: number;
}

export const ROOT_LOGGER = 'portico:root-logger';
export const MIGRATIONS_TABLE = 'typeorm_migrations';

/** Where the database is, without credentials: safe to log. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * TypeORM's logs through pino. Queries are never logged with their parameters (they can hold personal
 * data); a failed query is logged as its SQL text and the driver's error code.
 */
export class PinoTypeOrmLogger implements TypeOrmLogger {
  constructor(private readonly logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>) {}
  logQuery(): void {}
  logQueryError(error: string | Error, query: string): void {
    const code = typeof error === 'object' ? (error as { code?: string }).code : undefined;
    this.logger?.warn({ query: query.slice(0, 500), code }, 'query failed');
  }
  logQuerySlow(time: number, query: string): void {
    this.logger?.warn({ query: query.slice(0, 500), durationMs: time }, 'slow query');
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.logger?.info({ component: 'migrations' }, message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger?.warn({ component: 'typeorm' }, String(message));
    else this.logger?.debug({ component: 'typeorm' }, String(message));
  }
}

export function dataSourceOptions(
  config: DatabaseConfig,
  migrations: MigrationClass[],
  extra: { applicationName?: string; poolSize?: number; logger?: Logger } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    logging: ['error', 'warn', 'migration'],
    logger: new PinoTypeOrmLogger(extra.logger),
    maxQueryExecutionTime: 2_000,
    extra: {
      max: extra.poolSize ?? 10,
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      application_name: extra.applicationName ?? config.serviceName,
      // Every transaction of the platform is written for READ COMMITTED (Postgres' default). Pinned
      // in the startup packet so a server configured otherwise cannot change that, and so hot
      // transactions need not ask for it: TypeORM's transaction('READ COMMITTED') costs a second
      // round trip (START TRANSACTION, then SET TRANSACTION ISOLATION LEVEL). An `options` in
      // DATABASE_URL replaces this one (node-postgres lets the URL win).
      options: '-c default_transaction_isolation=read\\ committed',
    },
  };
}

@Injectable()
class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}
  onModuleInit(): void {
    this.readiness?.register(databaseReadiness(this.dataSource));
  }
}

const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

/** DATABASE_PREPARED_STATEMENTS=false: the data source's hot statements run unnamed (queryNamed). */
@Injectable()
class PreparedStatementsSetting implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(DATABASE_CONFIG) private readonly config: DatabaseConfig,
  ) {}
  onModuleInit(): void {
    if (this.config.databasePreparedStatements === false) runStatementsUnnamed(this.dataSource);
  }
}

@Global()
@Module({})
export class DatabaseModule {
  /**
   * The service's TypeORM DataSource (injectable as `DataSource`, repositories through
   * `TypeOrmModule.forFeature([...])` in feature modules). Schema changes happen only through
   * migrations run by the service's `migrate` command: synchronize and migrationsRun are off.
   * Registers the `database` readiness check.
   */
  static forRoot(
    config: DatabaseConfig,
    migrations: MigrationClass[],
    options: DatabaseOptions = {},
  ): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [{ token: ROOT_LOGGER, optional: true }],
          useFactory: (logger?: Logger) => ({
            ...dataSourceOptions(config, migrations, { poolSize: options.poolSize, logger }),
            entities: options.entities ?? [],
            autoLoadEntities: true,
            retryAttempts: options.connectAttempts ?? 3,
            retryDelay: 1_000,
            verboseRetryLog: false,
          }),
        }),
      ],
      providers: [
        DatabaseReadiness,
        PreparedStatementsSetting,
        { provide: DATABASE_CONFIG, useValue: config },
      ],
    };
  }
}

export class MigrationError extends Error {}

function explain(error: unknown, config: DatabaseConfig): string {
  const e = error as { code?: string; message?: string };
  const where = describeDatabaseUrl(config.databaseUrl);
  switch (e?.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `cannot reach PostgreSQL at ${where} (${e.code}); is it running, and is DATABASE_URL right?`;
    case '3D000':
      return `database ${where} does not exist; create it first (deploy/local/databases.sh does it locally)`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${where} rejected the credentials in DATABASE_URL (${e.code})`;
    default:
      return e?.message?.includes('timeout')
        ? `no answer from PostgreSQL at ${where} (${e.message})`
        : `${e?.message ?? String(error)}${e?.code ? ` (${e.code})` : ''}`;
  }
}

// Any constant works; it only has to be the same for every process migrating the same database.
const MIGRATION_LOCK_KEY = 7_316_003_001;

/**
 * Applies pending migrations, each in its own transaction, under a Postgres advisory lock so that two
 * processes starting at once never run the same migration twice. Returns the names applied.
 */
export async function runMigrations(
  config: DatabaseConfig,
  migrations: MigrationClass[],
  logger?: Logger,
): Promise<string[]> {
  const dataSource = new DataSource(
    dataSourceOptions(config, migrations, {
      applicationName: `${config.serviceName}-migrate`,
      poolSize: 2,
      logger,
    }),
  );
  try {
    await dataSource.initialize();
  } catch (e) {
    throw new MigrationError(explain(e, config), { cause: e });
  }
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } catch (e) {
      throw new MigrationError(`a migration failed and was rolled back: ${explain(e, config)}`, { cause: e });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await lock.release().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
  }
}

/** Body of a service's `src/migrate.ts`: runs migrations, logs what it did, exits 0 or 1 with a clear reason. */
export async function runMigrationsCommand(options: {
  config: DatabaseConfig & { logLevel?: LevelWithSilent };
  migrations: MigrationClass[];
}): Promise<void> {
  const { config } = options;
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel ?? 'info' });
  const database = describeDatabaseUrl(config.databaseUrl);
  try {
    const applied = await runMigrations(config, options.migrations, logger);
    logger.info(
      { database, applied },
      applied.length ? `applied ${applied.length} migration(s)` : 'database schema is up to date',
    );
    process.exitCode = 0;
  } catch (e) {
    const reason = e instanceof MigrationError ? e.message : explain(e, config);
    logger.fatal(
      { database, err: e instanceof MigrationError ? e.cause : e },
      `${config.serviceName}: migrations failed: ${reason}`,
    );
    process.exitCode = 1;
  }
}
