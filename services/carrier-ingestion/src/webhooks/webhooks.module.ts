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
import { WebhookController } from './webhook.controller';
import { WebhookRepository } from './webhook.repository';

/** The webhook intake (controller → service → adapters, repository, outbox) and its archive upkeep. */
@Module({
  imports: [CarrierAccountsModule],
  controllers: [WebhookController],
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
