import { Module, type DynamicModule } from '@nestjs/common';
import { CARRIER_TRACKING_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule, serviceAuthModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import { CarrierAccountsModule } from './carrier-accounts/carrier-accounts.module';
import type { CarrierIngestionConfig } from './config';
import { ParcelsModule } from './parcels/parcels.module';
import { SharedModule } from './shared/shared.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The carrier-ingestion application. Health, metrics, logging and the error filter come from
 * bootstrapService. Every endpoint declares its callers (`@Access.*`): operators for the account
 * API, public (signature-checked) for webhooks, the console's service token for the tracking history.
 */
@Module({})
export class AppModule {
  static forRoot(config: CarrierIngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations, {
          // the group commits in flight, the outbox relay, the admin API and the archive upkeep
          poolSize: config.webhookGroupCommits + 6,
        }),
        // After DatabaseModule: the relay stops before the DataSource closes (service-kit README).
        MessagingModule.forRoot(config, { produces: [CARRIER_TRACKING_TOPIC] }),
        serviceAuthModule(config),
        SharedModule.forRoot(config),
        CarrierAccountsModule,
        WebhooksModule,
        ParcelsModule,
      ],
    };
  }
}
