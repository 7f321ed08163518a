import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { DataSource } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import { MessagesRepository } from './messages.repository';

/** What became of one attempt (or of a message before any attempt). */
export type MessageOutcome = 'sent' | 'delivered' | 'retry' | 'failover' | 'failed' | 'cancelled';

/** Message queue metrics. Labels are closed enums (channel, outcome, role): never ids or addresses. */
@Injectable()
export class MessagesMetrics {
  private readonly messages: Counter<'channel' | 'outcome'>;
  private readonly duration: Histogram<'channel'>;
  private readonly failovers: Counter<'from' | 'to'>;
  private readonly rateLimited: Counter<'role'>;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    dataSource: DataSource,
    repo: MessagesRepository,
  ) {
    this.messages = new Counter({
      name: 'portico_messages_total',
      help: 'Message attempts by channel and outcome (sent, delivered, retry, failover, failed, cancelled)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'portico_message_send_duration_seconds',
      help: 'Time one channel call took (render excluded), by channel',
      labelNames: ['channel'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.failovers = new Counter({
      name: 'portico_message_failovers_total',
      help: 'Messages moved to the next channel of their plan',
      labelNames: ['from', 'to'] as const,
      registers: [registry],
    });
    this.rateLimited = new Counter({
      name: 'portico_message_rate_limited_total',
      help: 'Times a message waited because its recipient reached the hourly or daily limit',
      labelNames: ['role'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'portico_message_queue_backlog',
      help: 'Messages queued or being sent',
      registers: [registry],
      async collect() {
        if (dataSource.isInitialized) this.set(await repo.backlog(dataSource.manager));
      },
    });
  }

  outcome(channel: ChannelKind, outcome: MessageOutcome): void {
    this.messages.inc({ channel, outcome });
  }

  sendDuration(channel: ChannelKind, seconds: number): void {
    this.duration.observe({ channel }, seconds);
  }

  failover(from: ChannelKind, to: ChannelKind): void {
    this.failovers.inc({ from, to });
  }

  limited(role: string): void {
    this.rateLimited.inc({ role });
  }
}
