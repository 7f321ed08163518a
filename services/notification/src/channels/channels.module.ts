import { Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry';
import { PushSubscriptionsController, PushSubscriptionsRepository } from './push-subscriptions';

/** The channel adapters built from the settings, and the steward console's push subscription API. */
@Module({
  controllers: [PushSubscriptionsController],
  providers: [ChannelRegistry, PushSubscriptionsRepository],
  exports: [ChannelRegistry],
})
export class ChannelsModule {}
