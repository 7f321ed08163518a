import { Module, type DynamicModule } from '@nestjs/common';
import { CARRIER_TRACKING_TOPIC, CLAIMS_CLAIM_TOPIC, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import {
  DatabaseModule,
  DurableTimersModule,
  MessagingModule,
  serviceAuthModule,
} from '@portico/service-kit';
import { migrations } from '../migrations';
import { ClaimsModule } from './claims/claims.module';
import { InsuranceModule } from './insurance/insurance.module';
import { ScorecardsModule } from './scorecards/scorecards.module';
import type { ClaimsConfig } from './config';
import { EvidenceModule } from './evidence/evidence.module';
import { ResidentModule } from './resident/resident.module';
import { SharedModule, systemClock } from './shared/shared.module';
import type { Clock } from './shared/tokens';

/**
 * The claims application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`. Every HTTP endpoint declares its
 * callers (`@Access.*`).
 */
@Module({})
export class AppModule {
  static forRoot(config: ClaimsConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // the consumer's partitions, the timer loops, the carrier worker, the relay and HTTP
        DatabaseModule.forRoot(config, migrations, { poolSize: 2 + 4 + config.timerConcurrency + 2 + 4 }),
        // After DatabaseModule: the relay stops before the DataSource closes (service-kit README).
        MessagingModule.forRoot(config, {
          produces: [CLAIMS_CLAIM_TOPIC],
          consumes: [CARRIER_TRACKING_TOPIC, NOTIFICATION_OUTREACH_TOPIC],
          group: config.kafkaConsumerGroup,
        }),
        serviceAuthModule(config),
        SharedModule.forRoot(config, clock),
        DurableTimersModule.forRoot({
          pollIntervalMs: config.timerPollIntervalMs,
          concurrency: config.timerConcurrency,
          clock,
        }),
        ClaimsModule,
        EvidenceModule,
        ResidentModule,
        ScorecardsModule,
        InsuranceModule,
      ],
    };
  }
}
