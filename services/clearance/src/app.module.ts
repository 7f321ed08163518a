import { Module, type DynamicModule } from '@nestjs/common';
import { CARRIER_TRACKING_TOPIC, CLEARANCE_CASE_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { ClearanceConfig } from './config';

/**
 * The clearance application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`.
 */
@Module({})
export class AppModule {
  static forRoot(config: ClearanceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        MessagingModule.forRoot(config, {
          produces: [CLEARANCE_CASE_TOPIC],
          consumes: [CARRIER_TRACKING_TOPIC],
          group: config.kafkaConsumerGroup,
        }),
      ],
    };
  }
}
