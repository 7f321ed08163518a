import { Module, type DynamicModule } from '@nestjs/common';
import { CARRIER_TRACKING_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { CarrierIngestionConfig } from './config';

/**
 * The carrier-ingestion application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`.
 */
@Module({})
export class AppModule {
  static forRoot(config: CarrierIngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        MessagingModule.forRoot(config, { produces: [CARRIER_TRACKING_TOPIC] }),
      ],
    };
  }
}
