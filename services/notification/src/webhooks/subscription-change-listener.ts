import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import { Client } from 'pg';
import { SUBSCRIPTION_CHANGES_CHANNEL } from '../../migrations/1797500000001-webhook-subscription-notify';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import { TenantSubscriptionCache } from './tenant-subscription-cache';

const RECONNECT_MS = [250, 1_000, 2_000, 5_000];

/**
 * Hears the subscription trigger's notices (any replica's committed change) and drops that tenant
 * from this process's cache. Its own connection, not one of the pool's: it is held for the life of
 * the process. The outbox relay's wake-up listener does not fit (one fixed channel, payload
 * ignored, and it does not say when it is deaf, which is when the cache must not be trusted).
 */
@Injectable()
export class SubscriptionChangeListener implements OnModuleInit, OnApplicationShutdown {
  private readonly log: Logger;
  private client?: Client;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly cache: TenantSubscriptionCache,
    @Inject(NOTIFICATION_CONFIG) private readonly config: Pick<NotificationConfig, 'databaseUrl'>,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'webhooks' });
  }

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    this.cache.setListening(false);
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'notification-subscription-listener',
      // a connection that died without a word is found, and the cache distrusted, sooner
      keepAlive: true,
    });
    client.on('notification', (n) => {
      if (n.channel === SUBSCRIPTION_CHANGES_CHANNEL && n.payload) this.cache.invalidate(n.payload, 'notify');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${SUBSCRIPTION_CHANGES_CHANNEL}`);
      if (this.client !== client) return; // lost or stopped meanwhile
      this.failures = 0;
      // Only now: a change committed from here on is heard; anything read before is dropped.
      this.cache.setListening(true);
      this.log.info({ channel: SUBSCRIPTION_CHANGES_CHANNEL }, 'webhook subscription listener connected');
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return; // an older connection's late event
    this.client = undefined;
    this.cache.setListening(false);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)]!;
    this.log.warn(
      { err: error instanceof Error ? error.message : undefined, retryInMs: delay },
      'webhook subscription listener lost its connection; the fan-out reads subscriptions until it is back',
    );
    setTimeout(() => void this.listen(), delay).unref();
  }
}
