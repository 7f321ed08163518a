import { Module, type DynamicModule } from '@nestjs/common';
import { CLAIMS_CLAIM_TOPIC } from '@portico/contracts';
import { DatabaseModule, MessagingModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { ClaimsConfig } from './config';

/**
 * The claims application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`.
 */
@Module({})
export class AppModule {
  static forRoot(config: ClaimsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, migrations),
        MessagingModule.forRoot(config, { produces: [CLAIMS_CLAIM_TOPIC] }),
      ],
    };
  }
}
