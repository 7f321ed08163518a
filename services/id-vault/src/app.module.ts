import { Module, type DynamicModule } from '@nestjs/common';
import { VAULT_DOCUMENT_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { IdVaultConfig } from './config';

/**
 * The id-vault application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`.
 */
@Module({})
export class AppModule {
  static forRoot(config: IdVaultConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        MessagingModule.forRoot(config, { produces: [VAULT_DOCUMENT_TOPIC] }),
      ],
    };
  }
}
