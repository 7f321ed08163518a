import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { METRICS_REGISTRY, type Registry } from '@portico/observability';
import { TimerRunner, type TimerBatchHandler, type TimerHandler } from '@portico/timers';
import { DataSource } from 'typeorm';

export interface DurableTimersOptions {
  /** How often due timers are claimed (TIMER_POLL_INTERVAL_MS). */
  readonly pollIntervalMs: number;
  /** Claim loops side by side in one instance (TIMER_CONCURRENCY). */
  readonly concurrency: number;
  /** The application clock (the services' injected CLOCK), so due times and tests agree. */
  readonly clock?: () => Date;
}

const DURABLE_TIMERS_OPTIONS = 'portico:durable-timers-options';

/**
 * A service's one durable-timer runner (@portico/timers) in the Nest lifecycle: feature providers
 * register their kinds in `onModuleInit` (Nest runs those before `onApplicationBootstrap`, when
 * the runner starts); it stops in `beforeApplicationShutdown`, so the batch in flight commits
 * before the DataSource closes. Handlers run inside the claiming transaction: database work only,
 * an HTTP call belongs in a worker that records its outcome afterwards.
 *
 * The same shape as notification's NotificationTimers and clearance's ClearanceTimerRunner, kept
 * here once so further services do not copy it again.
 */
@Injectable()
export class DurableTimers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;

  constructor(
    dataSource: DataSource,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(DURABLE_TIMERS_OPTIONS) options: DurableTimersOptions,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      metricsRegistry: registry,
      pollIntervalMs: options.pollIntervalMs,
      concurrency: options.concurrency,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  register<P>(kind: string, handler: TimerHandler<P>): void {
    this.runner.register<P>(kind, handler);
  }

  registerBatch<P>(kind: string, handler: TimerBatchHandler<P>): void {
    this.runner.registerBatch<P>(kind, handler);
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

@Global()
@Module({})
export class DurableTimersModule {
  /** Needs DatabaseModule (the `timers` table: add createTimersMigration() to the migrations). */
  static forRoot(options: DurableTimersOptions): DynamicModule {
    return {
      module: DurableTimersModule,
      providers: [{ provide: DURABLE_TIMERS_OPTIONS, useValue: options }, DurableTimers],
      exports: [DurableTimers],
    };
  }
}
