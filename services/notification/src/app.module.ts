import { Module, type DynamicModule } from '@nestjs/common';
import {
  CARRIER_TRACKING_TOPIC,
  CLEARANCE_CASE_TOPIC,
  NOTIFICATION_OUTREACH_TOPIC,
  NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC,
} from '@portico/contracts';
import { WHOLE_TABLE_PLAN_METHODS } from '@portico/messaging';
import { DatabaseModule, MessagingModule, serviceAuthModule } from '@portico/service-kit';
import { migrations } from '../migrations';
import type { NotificationConfig } from './config';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { DirectoryModule } from './directory/directory.module';
import { FrontDeskModule } from './front-desk/front-desk.module';
import { MessagesModule } from './messages/messages.module';
import { OutreachModule } from './outreach/outreach.module';
import { ParcelsModule } from './parcels/parcels.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { SharedModule } from './shared/shared.module';
import { WebhooksModule } from './webhooks/webhooks.module';

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
        DatabaseModule.forRoot(config, migrations, {
          // one connection per partition in flight (stream + retry), the timer loops, HTTP and the delivery worker
          poolSize: config.consumerConcurrency + 4 + config.timerConcurrency + 4,
        }),
        MessagingModule.forRoot(config, {
          // Outreach keyed by parcel; webhook subscription events (auto-disable) keyed by subscription.
          produces: [NOTIFICATION_OUTREACH_TOPIC, NOTIFICATION_WEBHOOK_SUBSCRIPTION_TOPIC],
          // Tracking builds the parcel projection that resolution reads; clearance asks for outreach;
          // clearance and (our own) outreach events are fanned out to webhook subscribers.
          consumes: [CARRIER_TRACKING_TOPIC, CLEARANCE_CASE_TOPIC, NOTIFICATION_OUTREACH_TOPIC],
          group: config.kafkaConsumerGroup,
          concurrency: { stream: config.consumerConcurrency },
          // Every statement of a chunk probes keys (projection MERGE, parcel locks, resolution,
          // fan-out): with statistics behind the rows the planner turns them into scans of whole
          // tables (ADR 0012). Off for the chunk from its first statement, without round trips of
          // their own (ADR 0015).
          planMethodsOff: WHOLE_TABLE_PLAN_METHODS,
        }),
        serviceAuthModule(config),
        SharedModule.forRoot(config),
        DirectoryModule,
        ParcelsModule,
        OutreachModule,
        FrontDeskModule,
        ApiKeysModule,
        MessagesModule,
        WebhooksModule,
        ReceiptsModule,
      ],
    };
  }
}
