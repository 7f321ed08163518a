import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '@portico/service-kit';
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
      imports: [DatabaseModule.forRoot(config, migrations)],
    };
  }
}
