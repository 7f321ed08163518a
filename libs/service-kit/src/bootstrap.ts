import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Module, RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import { describeConfig, type CommonConfig, type ConfigDefinition } from '@portico/config';
import {
  createHttpMetrics,
  createLogger,
  createMetricsRegistry,
  DEFAULT_UNTRACED_PATHS,
  HealthModule,
  httpSerializers,
  kafkaReadiness,
  MetricsModule,
  pathWithoutQuery,
  ReadinessRegistry,
  shutdownTracing,
  type Logger,
  type ReadinessCheck,
  type Registry,
} from '@portico/observability';
import { Logger as NestPinoLogger, LoggerModule } from 'nestjs-pino';
import { ROOT_LOGGER } from './database';
import { ApiExceptionFilter, mapError } from './error-filter';
import { MessagingRuntime } from './messaging';
import { PinoNestLogger } from './nest-logger';
import { traceFastifyOnlyRoutes } from './self-traced-routes';
import { installGracefulShutdown, type GracefulShutdown, type ProcessLike } from './shutdown';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface ServiceAppOptions {
  /** The service's root module (features, DatabaseModule.forRoot, messaging …). */
  module: Type<unknown> | DynamicModule;
  config: CommonConfig;
  /** The service's setting definitions, to log the configuration with secrets masked. */
  settings?: ConfigDefinition;
  bodyLimitBytes?: number;
  /** Readiness checks besides the database (added by DatabaseModule). Default: the Kafka brokers of `config`. */
  readinessChecks?: ReadinessCheck[];
  /** Defaults to a JSON logger on stdout; tests pass one writing to memory. */
  logger?: Logger;
  /**
   * Path prefixes whose handlers write their own line per request (with more facts than the
   * generic one): the generic request-completed line would only double the log volume there.
   */
  selfLoggedPathPrefixes?: readonly string[];
  /**
   * Path prefixes served only by routes a service registers straight on the Fastify instance (in
   * `configureHttp`), outside Nest's pipeline: a hot path that needs none of guards, interceptors,
   * pipes or filters. Nest middleware is not run there either (the request-scoped logger binding
   * costs a child logger per request), so those handlers log with ids themselves and answer errors
   * with `mapError`. Request ids, HTTP metrics, body parsing and Fastify's own errors still apply;
   * their server spans are made by `traceFastifyOnlyRoutes` rather than the HTTP instrumentation.
   */
  fastifyOnlyPathPrefixes?: readonly string[];
  /**
   * Registers Fastify plugins a service needs before routes are bound (`app.register(...)`, e.g.
   * @fastify/multipart for id-vault's uploads). Runs once, before `app.init()`.
   */
  configureHttp?: (app: NestFastifyApplication) => Promise<void>;
}

export interface BootstrapOptions extends ServiceAppOptions {
  /** Process hooks (signals, exit); tests pass a fake so that shutdown does not end the test runner. */
  process?: ProcessLike;
}

export interface ServiceApp {
  app: NestFastifyApplication;
  logger: Logger;
  metrics: Registry;
  readiness: ReadinessRegistry;
}

export interface RunningService extends ServiceApp {
  url: string;
  /** Graceful shutdown, exactly as on SIGTERM. Resolves with the exit code. */
  shutdown(reason?: string): Promise<number>;
}

@Global()
@Module({})
class ServiceCoreModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ServiceCoreModule,
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [ROOT_LOGGER],
    };
  }
}

@Module({})
class ServiceRootModule {}

/**
 * Fastify's own errors (body too large, bad JSON, unsupported type) arise before any Nest handler.
 * Nest's Fastify error handler turns them into plain HttpExceptions and loses Fastify's error code,
 * so the handler Nest installs is wrapped: those errors are answered straight from their code, the
 * rest still goes through Nest's exception filters.
 */
class PorticoFastifyAdapter extends FastifyAdapter {
  constructor(
    private readonly errorLogger: Logger,
    private readonly bodyLimitBytes: number,
    options: FastifyServerOptions,
  ) {
    super(options);
  }

  override setErrorHandler(handler: Parameters<FastifyAdapter['setErrorHandler']>[0]) {
    const { errorLogger, bodyLimitBytes } = this;
    const nestHandler = handler as unknown as (
      this: unknown,
      error: unknown,
      request: unknown,
      reply: unknown,
    ) => unknown;
    return super.setErrorHandler(function (
      this: unknown,
      error: unknown,
      request: unknown,
      reply: FastifyReply,
    ) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code !== 'string' || !code.startsWith('FST_'))
        return nestHandler.call(this, error, request, reply);
      const mapped = mapError(error, { bodyLimitBytes });
      if (mapped.log) errorLogger.error({ err: error, status: mapped.status }, 'request failed');
      return reply
        .code(mapped.status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(mapped.body));
    } as unknown as Parameters<FastifyAdapter['setErrorHandler']>[0]);
  }
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

function httpLoggerOptions(logger: Logger, selfLogged: readonly string[] = []) {
  const unlogged = new Set<string>(DEFAULT_UNTRACED_PATHS);
  const skip = (path: string) => unlogged.has(path) || selfLogged.some((prefix) => path.startsWith(prefix));
  return {
    logger,
    serializers: httpSerializers,
    quietReqLogger: true,
    // Inside Nest middleware on Fastify, req.url is relative to the mount point; originalUrl is the real one.
    autoLogging: {
      ignore: (req: IncomingMessage) =>
        skip(pathWithoutQuery((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url)),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500
        ? ('error' as const)
        : res.statusCode >= 400
          ? ('warn' as const)
          : ('info' as const),
  };
}

/** Nest middleware routes (path-to-regexp 8 syntax) for everything under the given path prefixes. */
function middlewareExclusions(prefixes: readonly string[] = []) {
  if (prefixes.length === 0) return {};
  return {
    exclude: prefixes.map((prefix) => ({
      path: `${prefix.replace(/^\/+|\/+$/g, '')}/*path`,
      method: RequestMethod.ALL,
    })),
  };
}

/**
 * Builds the Nest application the way every Portico service runs: Fastify with a 1 MB body limit and
 * the raw body kept (`req.rawBody`) for signature checks, pino logs, Prometheus metrics, health
 * endpoints and the global error filter. Returns it initialised (routes registered, database
 * connected) but not listening; `bootstrapService` listens. Tests can use `app.inject()` on it.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const metrics = createMetricsRegistry(config.serviceName);
  const readinessChecks = options.readinessChecks ?? [
    kafkaReadiness({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId }),
  ];

  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      ServiceCoreModule.forRoot(logger),
      LoggerModule.forRoot({
        pinoHttp: httpLoggerOptions(logger, options.selfLoggedPathPrefixes),
        ...middlewareExclusions(options.fastifyOnlyPathPrefixes),
      }),
      MetricsModule.forRoot(metrics),
      HealthModule.forRoot({ checks: readinessChecks }),
      options.module,
    ],
  };
  const adapter = new PorticoFastifyAdapter(logger, bodyLimit, {
    bodyLimit,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Fastify sets the id on the raw request, where pino-http picks it up as `reqId`.
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    rawBody: true,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  // Before init: Nest binds global filters to routes as it registers them.
  app.useGlobalFilters(new ApiExceptionFilter(logger, { bodyLimitBytes: bodyLimit }));

  const httpMetrics = createHttpMetrics(metrics);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  traceFastifyOnlyRoutes(fastify, options.fastifyOnlyPathPrefixes ?? []);
  fastify.addHook('onResponse', (request, reply, done) => {
    httpMetrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  if (options.configureHttp) await options.configureHttp(app);

  const transport = messagingRuntimeOf(app)?.consumerTransport();
  if (transport) app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });

  await app.init();
  if (transport) {
    await app.startAllMicroservices();
    // Ready only once the consumer group has joined: before that, events would wait unread.
    await transport.ready();
  }
  // From here on Nest's Logger goes through nestjs-pino, which adds the request's reqId to lines
  // logged while a request is handled.
  app.useLogger(app.get(NestPinoLogger));
  return { app, logger, metrics, readiness: app.get(ReadinessRegistry) };
}

function messagingRuntimeOf(app: NestFastifyApplication): MessagingRuntime | undefined {
  try {
    return app.get(MessagingRuntime, { strict: false });
  } catch {
    return undefined; // the service does not use MessagingModule
  }
}

function startupFailure(error: unknown, config: CommonConfig): string {
  const e = error as { code?: string; message?: string };
  if (e?.code === 'EADDRINUSE')
    return `${config.httpHost}:${config.httpPort} is already in use (HTTP_HOST/HTTP_PORT)`;
  if (e?.code === 'EADDRNOTAVAIL')
    return `cannot listen on ${config.httpHost} (HTTP_HOST): address not available`;
  if (e?.code === 'ECONNREFUSED' || e?.code === '3D000' || e?.code === '28P01')
    return `database unreachable (${e.code}); check DATABASE_URL and that migrations ran`;
  return e?.message ?? String(error);
}

/**
 * Starts a service: builds the app, installs bounded graceful shutdown on SIGTERM/SIGINT (the
 * equivalent of Nest's enableShutdownHooks, plus a deadline and a trace flush), listens on
 * HTTP_HOST:HTTP_PORT, logs the configuration (secrets masked) and a `ready` line. On failure it
 * logs why and exits 1.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<RunningService> {
  const { config } = options;
  const proc = options.process ?? process;
  const logger = options.logger ?? createLogger({ serviceName: config.serviceName, level: config.logLevel });
  let built: ServiceApp | undefined;
  let graceful: GracefulShutdown | undefined;
  if (!options.process) {
    routeProcessWarnings(logger);
    installCrashHandlers(logger);
  }
  try {
    if (options.settings)
      logger.info({ config: describeConfig(options.settings, config as never) }, 'configuration');
    built = await createServiceApp({ ...options, logger });
    const { app, readiness } = built;
    graceful = installGracefulShutdown({
      app,
      timeoutMs: config.shutdownTimeoutMs,
      logger,
      process: proc,
      onDraining: () => readiness.markDraining(),
      afterClose: () => shutdownTracing(),
    });
    await app.listen({ port: config.httpPort, host: config.httpHost });
    // The bound port, not the configured one: port 0 (tests) means any free port.
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const url = `http://${config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost}:${port}`;
    logger.info({ url, startupMs: Math.round(performance.now()) }, 'ready');
    const g = graceful;
    return { ...built, url, shutdown: (reason = 'shutdown requested') => g.shutdown(reason) };
  } catch (error) {
    logger.fatal({ err: error }, `${config.serviceName} failed to start: ${startupFailure(error, config)}`);
    graceful?.dispose();
    await built?.app.close().catch(() => undefined);
    await shutdownTracing();
    proc.exit(1);
    throw error;
  }
}

/**
 * Process warnings as JSON log lines, once each. TimeoutNegativeWarning is dropped: kafkajs 2.2.4
 * triggers it on every connection under Node 24 (tulios/kafkajs#1751) and Node clamps the delay to 1 ms.
 */
export function routeProcessWarnings(logger: Logger): void {
  const seen = new Set<string>();
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    const key = `${warning.name}:${warning.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    logger.warn({ warning: warning.name, code: (warning as { code?: string }).code }, warning.message);
  });
}

/** Last-resort handlers: an error nobody caught is logged as one JSON line before the process dies. */
export function installCrashHandlers(logger: Logger): void {
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
}
