import {
  Controller,
  Get,
  Global,
  Inject,
  Injectable,
  Module,
  Optional,
  Res,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { scrubPersonalData } from './pii';

/** One dependency that must answer for the service to take traffic. */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves (optionally with details) when healthy, rejects with the reason otherwise. */
  check(): Promise<Record<string, unknown> | void>;
  /** Overrides the registry's per-check timeout. */
  readonly timeoutMs?: number;
  /** Releases connections the check holds; called on application shutdown. */
  close?(): Promise<void>;
}

export interface CheckResult {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  checks: Record<string, CheckResult>;
}

export const READINESS_OPTIONS = 'portico:readiness-options';
export const DEFAULT_CHECK_TIMEOUT_MS = 1_500;

class CheckTimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The set of readiness checks. Libraries add their own (`register`) — the database module adds the
 * database, messaging may add its consumers — and graceful shutdown marks the service draining so
 * load balancers stop sending work before the server closes.
 */
@Injectable()
export class ReadinessRegistry implements OnApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly inFlight = new Map<string, Promise<CheckResult>>();
  private draining = false;
  private readonly timeoutMs: number;

  constructor(
    @Optional() @Inject(READINESS_OPTIONS) options?: { timeoutMs?: number; checks?: ReadinessCheck[] },
  ) {
    this.timeoutMs = options?.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    for (const check of options?.checks ?? []) this.register(check);
  }

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  markDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.values()].map(async (c) => [c.name, await this.runOnce(c)] as const),
    );
    const checks = Object.fromEntries(entries);
    const allUp = entries.every(([, r]) => r.status === 'up');
    return { status: this.draining ? 'draining' : allUp ? 'ready' : 'not_ready', checks };
  }

  /** Concurrent probes share one run per check, so a burst of probes never piles up connections. */
  private runOnce(check: ReadinessCheck): Promise<CheckResult> {
    let running = this.inFlight.get(check.name);
    if (!running) {
      running = this.run(check).finally(() => this.inFlight.delete(check.name));
      this.inFlight.set(check.name, running);
    }
    return running;
  }

  private async run(check: ReadinessCheck): Promise<CheckResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const details = await withTimeout(check.check(), check.timeoutMs ?? this.timeoutMs);
      return { status: 'up', durationMs: elapsed(), ...(details ?? {}) };
    } catch (e) {
      const message = e instanceof Error ? e.message || e.name : String(e);
      return { status: 'down', durationMs: elapsed(), error: scrubPersonalData(message).slice(0, 300) };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.checks.values()].map((c) => c.close?.().catch(() => undefined)));
  }
}

interface Reply {
  status(code: number): unknown;
}

@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(private readonly readiness: ReadinessRegistry) {}

  /** The process is up and its event loop turns; never depends on anything outside the process. */
  @Get('live')
  live() {
    return { status: 'up', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  /** Every dependency answered within its timeout; 503 with each check's state otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: Reply): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    if (report.status !== 'ready') reply.status(503);
    return report;
  }
}

@Global()
@Module({})
export class HealthModule {
  /** GET /health/live and /health/ready; ReadinessRegistry is injectable everywhere. */
  static forRoot(options: { checks?: ReadinessCheck[]; timeoutMs?: number } = {}): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: READINESS_OPTIONS, useValue: options }, ReadinessRegistry],
      exports: [ReadinessRegistry],
    };
  }
}

/** Database readiness: `SELECT 1` through whatever runs queries (a TypeORM DataSource, a pg Pool). */
export function databaseReadiness(
  db: { query(sql: string): Promise<unknown> },
  name = 'database',
): ReadinessCheck {
  return {
    name,
    async check() {
      await db.query('SELECT 1');
    },
  };
}

export interface KafkaReadinessOptions {
  brokers: string[];
  clientId: string;
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  timeoutMs?: number;
}

/**
 * Kafka readiness: a metadata round trip (describeCluster) over one long-lived admin connection,
 * re-established after a failure. A TCP connect alone would pass for a broker that is still starting.
 */
export function kafkaReadiness(options: KafkaReadinessOptions): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  let admin: Admin | undefined;
  let connected = false;
  const reset = async () => {
    connected = false;
    const old = admin;
    admin = undefined;
    await old?.disconnect().catch(() => undefined);
  };
  const attempt = async () => {
    try {
      if (!admin) {
        admin = new Kafka({
          clientId: `${options.clientId}-readiness`,
          brokers: options.brokers,
          ssl: options.ssl,
          sasl: options.sasl,
          logLevel: logLevel.NOTHING,
          connectionTimeout: Math.max(200, timeoutMs - 200),
          requestTimeout: timeoutMs,
          retry: { retries: 0 },
        }).admin({ retry: { retries: 0 } });
      }
      if (!connected) {
        await admin.connect();
        connected = true;
      }
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length };
    } catch (e) {
      await reset();
      throw e;
    }
  };
  // An attempt that outlives the registry's timeout is joined by the next probe, not duplicated.
  let pending: Promise<{ brokers: number }> | undefined;
  return {
    name: 'kafka',
    timeoutMs,
    check() {
      pending ??= attempt().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    close: reset,
  };
}
