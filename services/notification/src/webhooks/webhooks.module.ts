import { OutboxWriter } from '@portico/messaging';
import { Module } from '@nestjs/common';
import { SecretBox } from '@portico/auth';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import { DataSource } from 'typeorm';
import type { NotificationConfig } from '../config';
import { CLOCK, ID_GENERATOR, NOTIFICATION_CONFIG, type Clock, type IdGenerator } from '../shared/tokens';
import { DeliveryWorker } from './delivery-worker';
import { HttpWebhookGateway, WebhookGateway } from './webhook-gateway';
import { SubscriptionChangeListener } from './subscription-change-listener';
import { TenantSubscriptionCache } from './tenant-subscription-cache';
import { WebhookFanOut } from './webhook-fan-out';
import { WebhookSigners } from './webhook-signers';
import {
  WEBHOOK_SIGNERS,
  WEBHOOK_TARGET_POLICY,
  WebhookSubscriptionsService,
} from './webhook-subscriptions.service';
import type { TargetPolicy } from './webhook-target';
import { WebhooksConsumer } from './webhooks.consumer';
import { WebhooksController } from './webhooks.controller';
import { WebhooksMetrics } from './webhooks.metrics';
import { WebhooksRepository } from './webhooks.repository';

/** Outbound webhooks to property systems: fan-out from events, the delivery worker, the API. */
@Module({
  controllers: [WebhooksConsumer, WebhooksController],
  providers: [
    WebhooksRepository,
    WebhooksMetrics,
    TenantSubscriptionCache,
    SubscriptionChangeListener,
    WebhookFanOut,
    WebhookSubscriptionsService,
    {
      provide: WEBHOOK_TARGET_POLICY,
      inject: [NOTIFICATION_CONFIG],
      useFactory: (c: NotificationConfig): TargetPolicy => ({
        allowHttp: c.webhookAllowHttp,
        allowedPrivateNetworks: c.webhookAllowedPrivateNetworks,
      }),
    },
    {
      provide: WEBHOOK_SIGNERS,
      inject: [NOTIFICATION_CONFIG],
      useFactory: (c: NotificationConfig) =>
        c.webhookSecretsKeys ? new WebhookSigners(new SecretBox(c.webhookSecretsKeys)) : null,
    },
    {
      provide: WebhookGateway,
      inject: [WEBHOOK_TARGET_POLICY],
      useFactory: (policy: TargetPolicy) => new HttpWebhookGateway(policy),
    },
    {
      provide: DeliveryWorker,
      inject: [
        DataSource,
        WebhooksRepository,
        WebhookGateway,
        WEBHOOK_SIGNERS,
        WebhooksMetrics,
        ROOT_LOGGER,
        CLOCK,
        ID_GENERATOR,
        NOTIFICATION_CONFIG,
        OutboxWriter,
        TenantSubscriptionCache,
      ],
      useFactory: (
        dataSource: DataSource,
        repository: WebhooksRepository,
        gateway: WebhookGateway,
        signers: WebhookSigners | null,
        metrics: WebhooksMetrics,
        logger: Logger,
        clock: Clock,
        newId: IdGenerator,
        c: NotificationConfig,
        outbox: OutboxWriter,
        subscriptionCache: TenantSubscriptionCache,
      ) =>
        new DeliveryWorker(
          {
            dataSource,
            repository,
            gateway,
            signers: signers!,
            metrics,
            logger,
            clock,
            newId,
            outbox,
            subscriptionCache,
          },
          {
            concurrency: c.webhookWorkerConcurrency,
            // Without a secrets key nothing can be signed: deliver nothing rather than unsigned.
            loops: signers ? c.webhookWorkerLoops : 0,
            pollIntervalMs: c.webhookPollIntervalMs,
            timeoutMs: c.outboundWebhookTimeoutMs,
            schedule: c.webhookRetryScheduleMs,
            breaker: {
              failureThreshold: c.webhookBreakerThreshold,
              coolDownMs: c.webhookBreakerCoolDownMs,
              autoDisableAfterMs: c.webhookAutoDisableAfterMs,
            },
          },
        ),
    },
  ],
})
export class WebhooksModule {}
