import { Module, type DynamicModule } from '@nestjs/common';
import {
  CARRIER_TRACKING_TOPIC,
  CLEARANCE_CASE_TOPIC,
  NOTIFICATION_OUTREACH_TOPIC,
  VAULT_DOCUMENT_TOPIC,
} from '@portico/contracts';
import { WHOLE_TABLE_PLAN_METHODS } from '@portico/messaging';
import { DatabaseModule, MessagingModule, serviceAuthModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import { CasesModule } from './cases/cases.module';
import type { ClearanceConfig } from './config';
import { PoliciesModule } from './policies/policies.module';
import { ResidentStatusModule } from './resident-status/resident-status.module';
import { PredictionModule } from './prediction/prediction.module';
import { ReviewModule } from './review/review.module';
import { SharedModule } from './shared/shared.module';

/**
 * The clearance application. Health, metrics, logging and the error filter come from
 * bootstrapService; feature modules are added to `imports`. Every HTTP endpoint declares its
 * callers (`@Access.*`).
 */
@Module({})
export class AppModule {
  static forRoot(config: ClearanceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // one connection per concurrently consumed partition, retry partition and timer loop, plus
        // the relay and HTTP: a transaction never waits for a connection another one holds
        DatabaseModule.forRoot(config, migrations, {
          poolSize: config.consumerConcurrency + 4 + config.timerConcurrency + 4,
        }),
        // After DatabaseModule: the relay stops before the DataSource closes (service-kit README).
        MessagingModule.forRoot(config, {
          produces: [CLEARANCE_CASE_TOPIC],
          consumes: [CARRIER_TRACKING_TOPIC, VAULT_DOCUMENT_TOPIC, NOTIFICATION_OUTREACH_TOPIC],
          group: config.kafkaConsumerGroup,
          concurrency: { stream: config.consumerConcurrency },
          // Every statement of a consumer transaction probes keys (hold history and counts by key,
          // cases by id or hold, timers, the outbox): held to index plans, planned once per
          // connection where named (ADR 0016).
          planMethodsOff: WHOLE_TABLE_PLAN_METHODS,
        }),
        serviceAuthModule(config),
        SharedModule,
        CasesModule.forRoot({
          timerRules: config.timerRules,
          timerPollIntervalMs: config.timerPollIntervalMs,
          timerConcurrency: config.timerConcurrency,
        }),
        PoliciesModule,
        ResidentStatusModule,
        ReviewModule,
        PredictionModule.forRoot({ defaultThreshold: config.predictionDefaultThreshold }),
      ],
    };
  }
}
