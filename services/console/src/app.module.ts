import { Module, type DynamicModule } from '@nestjs/common';
import { CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { ConsoleConfig } from './config';
import { ConsoleModule } from './console.module';

/**
 * The console (backend-for-frontend). Health, metrics, logging and the error filter come from
 * bootstrapService. People authenticate with a session cookie (SessionGuard), not bearer tokens.
 */
@Module({})
export class AppModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        MessagingModule.forRoot(config, {
          consumes: [NOTIFICATION_OUTREACH_TOPIC, CLEARANCE_CASE_TOPIC],
          group: config.kafkaConsumerGroup,
          // Live updates are about now: a new group starts at the topics' end instead of replaying
          // their history into open browsers (docs/adr/0005-console-live-fanout.md).
          fromBeginning: false,
        }),
        ConsoleModule.forRoot(config),
      ],
    };
  }
}
