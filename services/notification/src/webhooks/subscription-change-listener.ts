import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { PgListener, ROOT_LOGGER } from '@portico/service-kit';
import { SUBSCRIPTION_CHANGES_CHANNEL } from '../../migrations/1797500000001-webhook-subscription-notify';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import { TenantSubscriptionCache } from './tenant-subscription-cache';

/**
 * Hears the subscription trigger's notices (any replica's committed change) and drops that tenant
 * from this process's cache, which it trusts only while the connection is up. The outbox relay's
 * wake-up listener does not fit: one fixed channel, the payload ignored, and no word of when it is
 * deaf (for the relay a missed notice only costs latency; it polls).
 */
@Injectable()
export class SubscriptionChangeListener implements OnModuleInit, OnApplicationShutdown {
  private readonly listener: PgListener;

  constructor(
    private readonly cache: TenantSubscriptionCache,
    @Inject(NOTIFICATION_CONFIG) config: Pick<NotificationConfig, 'databaseUrl'>,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    const log = root.child({ component: 'webhooks' });
    this.listener = new PgListener({
      connectionString: config.databaseUrl,
      applicationName: 'notification-subscription-listener',
      channels: [SUBSCRIPTION_CHANGES_CHANNEL],
      onNotification: (_channel, tenantId) => {
        if (tenantId) cache.invalidate(tenantId, 'notify');
      },
      onConnectionChange: (connected, lost) => {
        // Only once LISTEN is in place: what commits from then on is heard, what was read before is dropped.
        cache.setListening(connected);
        if (connected)
          log.info({ channel: SUBSCRIPTION_CHANGES_CHANNEL }, 'webhook subscription listener connected');
        else
          log.warn(
            {
              err: lost?.error instanceof Error ? lost.error.message : undefined,
              retryInMs: lost?.retryInMs,
            },
            'webhook subscription listener lost its connection; the fan-out reads subscriptions until it is back',
          );
      },
    });
  }

  onModuleInit(): Promise<void> {
    return this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
    this.cache.setListening(false);
  }
}
