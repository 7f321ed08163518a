import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { extractTraceContext, injectTraceContext } from '@portico/messaging';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import type { ConsoleConfig } from '../config';
import { ConsoleMetrics } from '../shared/console-metrics';
import { CONSOLE_CONFIG } from '../shared/tokens';
import { decodeLiveMessage, decodeSessionsEnded, encodeLiveMessage, LIVE_CHANNEL, SESSIONS_CHANNEL } from './live-fanout-message';
import { LiveHub } from './live-hub';
import type { LiveUpdate } from './live-scope';

const tracer = trace.getTracer('portico-console');
const RECONNECT_MS = [250, 1_000, 2_000, 5_000];

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
  private client?: Client;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly hub: LiveHub,
    private readonly metrics: ConsoleMetrics,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /** Sends the update to every instance when `manager`'s transaction commits. */
  async broadcast(update: LiveUpdate, manager: EntityManager): Promise<void> {
    const payload = encodeLiveMessage(update, injectTraceContext({}));
    await manager.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, payload]);
  }

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'console-live-fanout',
    });
    client.on('notification', (n) => (n.channel === SESSIONS_CHANNEL ? this.sessionsEnded(n.payload) : this.receive(n.payload)));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
      await client.query(`LISTEN ${SESSIONS_CHANNEL}`);
      this.failures = 0;
      this.metrics.liveListener.set(1);
      this.logger.log(`listening on ${LIVE_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return; // an older connection's late event
    this.client = undefined;
    this.metrics.liveListener.set(0);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)]!;
    this.logger.warn(
      { err: error instanceof Error ? error.message : undefined, retryInMs: delay },
      'live fan-out listener lost its connection',
    );
    setTimeout(() => void this.listen(), delay).unref();
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
