import { Module } from '@nestjs/common';
import { CarrierAccountsModule } from '../carrier-accounts/carrier-accounts.module';
import { WebhookAdapterRegistry } from './adapters/adapter-registry';
import { WebhookArchiveMaintenance } from './archive/webhook-archive.maintenance';
import { WebhookArchiveRepository } from './archive/webhook-archive.repository';
import { OutboxWriter } from '@portico/messaging';
import { ParcelProjection } from '../parcels/parcel-projection';
import { DataSource } from 'typeorm';
import type { CarrierIngestionConfig } from '../config';
import { CARRIER_INGESTION_CONFIG } from '../shared/tokens';
import { INTAKE_STATEMENT_TIMEOUT_MS, IntakeCommitter } from './intake-committer';
import { IntakeTransactions, PgIntakeTransactions, poolOf } from './intake-transactions';
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
      provide: IntakeTransactions,
      inject: [DataSource, CARRIER_INGESTION_CONFIG],
      useFactory: (
        dataSource: DataSource,
        config: Pick<CarrierIngestionConfig, 'databasePreparedStatements'>,
      ) =>
        new PgIntakeTransactions(() => poolOf(dataSource), {
          statementTimeoutMs: INTAKE_STATEMENT_TIMEOUT_MS,
          preparedStatements: config.databasePreparedStatements,
        }),
    },
    {
      provide: IntakeCommitter,
      inject: [IntakeTransactions, WebhookRepository, OutboxWriter, CARRIER_INGESTION_CONFIG],
      useFactory: (
        transactions: IntakeTransactions,
        webhooks: WebhookRepository,
        outbox: OutboxWriter,
        config: Pick<CarrierIngestionConfig, 'webhookGroupCommits'>,
      ) =>
        new IntakeCommitter(transactions, webhooks, outbox, new ParcelProjection(), {
          maxInFlight: config.webhookGroupCommits,
        }),
    },
    WebhookRepository,
    WebhookMetrics,
    WebhookArchiveRepository,
    WebhookArchiveMaintenance,
  ],
})
export class WebhooksModule {}
