import { Module, type DynamicModule } from '@nestjs/common';
import { CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { NotificationConfig } from './config';

/**
 * The notification application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`.
 */
@Module({})
export class AppModule {
  static forRoot(config: NotificationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        MessagingModule.forRoot(config, {
          produces: [NOTIFICATION_OUTREACH_TOPIC],
          consumes: [CLEARANCE_CASE_TOPIC],
          group: config.kafkaConsumerGroup,
        }),
      ],
    };
  }
}
