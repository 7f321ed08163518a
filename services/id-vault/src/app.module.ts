import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '@portico/service-kit';
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
      imports: [DatabaseModule.forRoot(config, migrations)],
    };
  }
}
