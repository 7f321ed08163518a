import { Module } from '@nestjs/common';
import { CarrierAccountsModule } from '../carrier-accounts/carrier-accounts.module';
import { WebhookAdapterRegistry } from './adapters/adapter-registry';
import { WebhookArchiveMaintenance } from './archive/webhook-archive.maintenance';
import { WebhookArchiveRepository } from './archive/webhook-archive.repository';
import { OutboxWriter } from '@portico/messaging';
import { ParcelProjection } from '../parcels/parcel-projection';
import { UnitOfWork } from '@portico/service-kit';
import { IntakeCommitter } from './intake-committer';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookRepository } from './webhook.repository';

/**
 * The webhook intake (service → adapters, repository, outbox) and its archive upkeep. Its HTTP route
 * is registered straight on Fastify by `registerWebhookRouteOn` (webhook.route.ts), not by a controller.
 */
@Module({
  imports: [CarrierAccountsModule],
  providers: [
    { provide: WebhookAdapterRegistry, useValue: new WebhookAdapterRegistry() },
    WebhookIntakeService,
    {
      provide: IntakeCommitter,
      inject: [UnitOfWork, WebhookRepository, OutboxWriter],
      useFactory: (uow: UnitOfWork, webhooks: WebhookRepository, outbox: OutboxWriter) =>
        new IntakeCommitter(uow, webhooks, outbox, new ParcelProjection()),
    },
    WebhookRepository,
    WebhookMetrics,
    WebhookArchiveRepository,
    WebhookArchiveMaintenance,
  ],
})
export class WebhooksModule {}
