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
import {
  RELAY_PUSH_TIMER_KIND,
  RELAY_TIMER_KIND,
  type RelayPushTimerPayload,
  type RelayTimerPayload,
} from '../relay/relay-scheduler';
import { RelayService } from '../relay/relay.service';
import { CLOCK, type Clock } from '../shared/tokens';
import { PURGE_TIMER_KIND, type PurgeTimerPayload } from './retention-scheduler';
import { RetentionService } from './retention.service';

export const TIMER_POLL_INTERVAL_MS = 'id-vault:timer-poll-interval-ms';

/**
 * The vault's durable timers: purges (retention) and relays (after approval). Claimed with SKIP
 * LOCKED, fired in the claiming transaction, retried with back-off; any number of instances.
 */
@Injectable()
export class VaultTimerRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TimerRunner;

  constructor(
    dataSource: DataSource,
    retention: RetentionService,
    relay: RelayService,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(TIMER_POLL_INTERVAL_MS) pollIntervalMs: number,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.runner = new TimerRunner({ dataSource, metricsRegistry: registry, pollIntervalMs, clock });
    this.runner.register<PurgeTimerPayload>(PURGE_TIMER_KIND, async (t, m) => {
      const purged = await retention.purgeDocument(m, t.payload.documentId, 'retention_elapsed', {
        kind: 'system',
        id: 'id-vault',
      });
      trace.getActiveSpan()?.setAttribute('portico.vault.outcome', purged ? 'purged' : 'nothing_to_purge');
    });
    this.runner.register<RelayTimerPayload>(RELAY_TIMER_KIND, async (t, m) => {
      // Evaluated before the span call: `span?.setAttribute(k, await x)` would skip `x` when untraced.
      const outcome = await relay.relay(m, t.payload.documentId);
      trace.getActiveSpan()?.setAttribute('portico.vault.outcome', outcome);
    });
    this.runner.register<RelayPushTimerPayload>(RELAY_PUSH_TIMER_KIND, async (t, m) => {
      const outcome = await relay.push(m, t.payload.documentId, t.payload.grantId);
      trace.getActiveSpan()?.setAttribute('portico.vault.outcome', outcome);
    });
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
