import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { extractTraceContext, injectTraceContext } from '@portico/messaging';
import { PgListener } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { ConsoleConfig } from '../config';
import { ConsoleMetrics } from '../shared/console-metrics';
import { CONSOLE_CONFIG } from '../shared/tokens';
import {
  decodeLiveMessage,
  decodeSessionsEnded,
  encodeLiveMessage,
  LIVE_CHANNEL,
  SESSIONS_CHANNEL,
} from './live-fanout-message';
import { LiveHub } from './live-hub';
import type { LiveUpdate } from './live-scope';

const tracer = trace.getTracer('portico-console');

/**
 * Live updates across console instances (docs/adr/0005-console-live-fanout.md): the one instance
 * whose consumer got the event NOTIFYs it on a Postgres channel inside the event's inbox
 * transaction (sent when that commits, once), and every instance — that one included — LISTENs on
 * its own connection and hands it to its LiveHub, which filters per session. A listener that lost
 * its connection reconnects; what was notified meanwhile is lost to its browsers, as a push during
 * an SSE reconnect is: the SPA refetches when its stream reopens.
 */
@Injectable()
export class LiveFanout implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('live-fanout');
  private readonly listener: PgListener;

  constructor(
    private readonly hub: LiveHub,
    private readonly metrics: ConsoleMetrics,
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
  ) {
    this.listener = new PgListener({
      connectionString: config.databaseUrl,
      applicationName: 'console-live-fanout',
      channels: [LIVE_CHANNEL, SESSIONS_CHANNEL],
      onNotification: (channel, payload) =>
        channel === SESSIONS_CHANNEL ? this.sessionsEnded(payload) : this.receive(payload),
      onConnectionChange: (connected, lost) => {
        this.metrics.liveListener.set(connected ? 1 : 0);
        if (connected) this.logger.log(`listening on ${LIVE_CHANNEL}`);
        else
          this.logger.warn(
            {
              err: lost?.error instanceof Error ? lost.error.message : undefined,
              retryInMs: lost?.retryInMs,
            },
            'live fan-out listener lost its connection',
          );
      },
    });
  }

  /** Sends the update to every instance when `manager`'s transaction commits. */
  async broadcast(update: LiveUpdate, manager: EntityManager): Promise<void> {
    const payload = encodeLiveMessage(update, injectTraceContext({}));
    await manager.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, payload]);
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
    this.metrics.liveListener.set(0);
  }

  /** The account-status command disabled an account: its streams here close at once. */
  private sessionsEnded(payload: string | undefined): void {
    const accountId = decodeSessionsEnded(payload);
    if (!accountId) return;
    const closed = this.hub.endAccount(accountId);
    this.logger.log({ accountId, streamsClosed: closed }, 'account sessions ended');
  }

  private receive(payload: string | undefined): void {
    const message = decodeLiveMessage(payload);
    if (!message) {
      this.metrics.liveFanout.inc({ outcome: 'malformed' });
      return;
    }
    const { update } = message;
    const span = tracer.startSpan(
      'console.live.fanout',
      {
        attributes: {
          'portico.event_type': update.type,
          'portico.task_id': update.taskId,
          'portico.case_id': update.caseId,
        },
      },
      extractTraceContext(message.trace),
    );
    context.with(trace.setSpan(context.active(), span), () => {
      const delivered = this.hub.publish(update);
      span.setAttribute('portico.live.delivered', delivered);
    });
    span.end();
    this.metrics.liveFanout.inc({ outcome: 'received' });
  }
}
