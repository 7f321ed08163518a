import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { METRICS_REGISTRY, type Registry } from '@portico/observability';
import { TimerRunner, type TimerHandler } from '@portico/timers';
import { DataSource } from 'typeorm';
import type { NotificationConfig } from '../config';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from './tokens';

/**
 * The one durable-timer runner of notification (escalations, reminders, delivery retries).
 * Feature modules register their kinds in `onModuleInit`, which Nest runs before this runner
 * starts in `onApplicationBootstrap`; it stops before the DataSource closes, letting the batch in
 * flight commit. Handlers run inside the claiming transaction: keep them to database work (an HTTP
 * call belongs in a worker that records its outcome afterwards).
 */
@Injectable()
export class NotificationTimers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;

  constructor(
    dataSource: DataSource,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(NOTIFICATION_CONFIG) config: NotificationConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      metricsRegistry: registry,
      pollIntervalMs: config.timerPollIntervalMs,
      concurrency: config.timerConcurrency,
      clock,
    });
  }

  register<P>(kind: string, handler: TimerHandler<P>): void {
    this.runner.register<P>(kind, handler);
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
