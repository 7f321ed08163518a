import { Module, type DynamicModule } from '@nestjs/common';
import { CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC, VAULT_DOCUMENT_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule, serviceAuthModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { IdVaultConfig } from './config';
import { SharedModule } from './shared/shared.module';
import { VaultModule } from './vault.module';

/**
 * The id-vault application. Health, metrics, logging and the error filter come from
 * bootstrapService. Every HTTP endpoint declares its callers (`@Access.*`).
 */
@Module({})
export class AppModule {
  static forRoot(config: IdVaultConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        // After DatabaseModule: the relay stops before the DataSource closes (service-kit README).
        MessagingModule.forRoot(config, {
          produces: [VAULT_DOCUMENT_TOPIC],
          consumes: [CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC],
          group: config.kafkaConsumerGroup,
        }),
        serviceAuthModule(config),
        SharedModule,
        VaultModule.forRoot(config),
      ],
    };
  }
}
