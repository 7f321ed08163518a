import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { DataSource } from 'typeorm';
import type { ChannelKind } from '../channels/channel';
import { MessagesRepository } from './messages.repository';

/** What became of one attempt (or of a message before any attempt). */
export type MessageOutcome = 'sent' | 'delivered' | 'retry' | 'failover' | 'failed' | 'cancelled';

/** Messages beyond a task's first ones (steward follow-ups, case notices, escalation notices). */
export type FollowUpKind =
  | 'resend'
  | 'reupload_request'
  | 'reminder'
  | 'hold_predicted'
  | 'case_cleared'
  | 'case_expired'
  | 'case_returned'
  | 'case_cancelled'
  | 'consent_withdrawn'
  | 'escalation_manager'
  | 'escalation_operations';
/** queued; duplicate (its dedupe key was queued before); not_sent (policy, consent or no channel); refused (a steward's request answered with an error). */
export type FollowUpOutcome = 'queued' | 'duplicate' | 'not_sent' | 'refused';

/** Message queue metrics. Labels are closed enums (channel, outcome, role): never ids or addresses. */
@Injectable()
export class MessagesMetrics {
  private readonly messages: Counter<'channel' | 'outcome'>;
  private readonly duration: Histogram<'channel'>;
  private readonly failovers: Counter<'from' | 'to'>;
  private readonly rateLimited: Counter<'role'>;
  private readonly followUps: Counter<'kind' | 'outcome'>;
  private readonly redrives: Counter<'outcome'>;

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
    this.redrives = new Counter({
      name: 'portico_messages_redriven_total',
      help: 'Operator re-drives of failed messages (queued, or why refused: not_failed, task_closed, deadline_passed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.followUps = new Counter({
      name: 'portico_followup_messages_total',
      help: 'Follow-up messages (resend, re-upload request, reminder, hold predicted, case cleared, escalation notices) by kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
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

  followUp(kind: FollowUpKind, outcome: FollowUpOutcome): void {
    this.followUps.inc({ kind, outcome });
  }

  redriven(outcome: 'queued' | 'not_failed' | 'task_closed' | 'deadline_passed', count = 1): void {
    if (count > 0) this.redrives.inc({ outcome }, count);
  }

  limited(role: string): void {
    this.rateLimited.inc({ role });
  }
}
