import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { METRICS_REGISTRY, type Registry } from '@portico/observability';
import { TimerRunner } from '@portico/timers';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../shared/tokens';
import { DeadlineHandlers, type DeadlineOutcome } from './deadline-handlers.service';
import { TIMER_KIND, type AckSlaPayload, type ExpiryPayload, type ReminderPayload } from './timer-plan';

export const TIMER_POLL_INTERVAL_MS = 'clearance:timer-poll-interval-ms';
export const TIMER_CONCURRENCY = 'clearance:timer-concurrency';

/**
 * Runs clearance's durable timers for as long as the service runs: claims due rows with SKIP
 * LOCKED (any number of instances may run it), fires the handler in the claiming transaction,
 * and on shutdown lets the batch in flight commit before the DataSource closes.
 */
@Injectable()
export class ClearanceTimerRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;

  constructor(
    dataSource: DataSource,
    handlers: DeadlineHandlers,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(TIMER_POLL_INTERVAL_MS) pollIntervalMs: number,
    @Inject(TIMER_CONCURRENCY) concurrency: number,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.runner = new TimerRunner({
      dataSource,
      metricsRegistry: registry,
      pollIntervalMs,
      concurrency,
      clock,
    });
    this.runner.registerBatch<ReminderPayload>(TIMER_KIND.reminder, async (timers, m) => {
      const outcomes = await handlers.reminders(timers, m);
      trace
        .getActiveSpan()
        ?.setAttribute('portico.clearance.reminded', outcomes.filter((o) => o === 'reminded').length);
    });
    this.runner.register<AckSlaPayload>(TIMER_KIND.ackSla, async (t, m) =>
      outcome(await handlers.ackSla(t, m)),
    );
    this.runner.register<ExpiryPayload>(TIMER_KIND.expiry, async (t, m) =>
      outcome(await handlers.expiry(t, m)),
    );
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  /** Before every onApplicationShutdown hook, so the DataSource is still open for the last batch. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

function outcome(o: DeadlineOutcome): void {
  trace.getActiveSpan()?.setAttribute('portico.clearance.outcome', o);
}
