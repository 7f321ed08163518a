import { Global, Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import { ContactBook, PostgresContactBook } from './contact-book';
import { MessageHooks } from './message-hooks';
import { MessageOutbox } from './message-outbox';
import { MessageWorker } from './message-worker';
import { MessagesMetrics } from './messages.metrics';
import { MessagesRepository } from './messages.repository';
import { FollowUpMessages } from './follow-up-messages';
import { TaskMessages } from './task-messages';
import { HttpUploadLinkIssuer, NoUploadLinks, UploadLinkIssuer } from './upload-links';

/**
 * The durable message queue and its worker. Global: outreach (task notices) and, later,
 * escalation and reminders queue messages through MessageOutbox / TaskMessages, and the
 * escalation code listens on MessageHooks.
 */
@Global()
@Module({
  imports: [ChannelsModule],
  providers: [
    MessagesRepository,
    MessageOutbox,
    TaskMessages,
    FollowUpMessages,
    MessageWorker,
    MessagesMetrics,
    MessageHooks,
    { provide: ContactBook, useClass: PostgresContactBook },
    {
      provide: UploadLinkIssuer,
      inject: [NOTIFICATION_CONFIG],
      useFactory: (config: NotificationConfig): UploadLinkIssuer =>
        config.vaultInternalUrl && config.vaultServiceToken
          ? new HttpUploadLinkIssuer({
              baseUrl: config.vaultInternalUrl,
              serviceToken: config.vaultServiceToken,
              timeoutMs: config.channelTimeoutMs,
            })
          : new NoUploadLinks(),
    },
  ],
  exports: [MessageOutbox, TaskMessages, FollowUpMessages, MessageHooks, MessagesRepository, MessagesMetrics],
})
export class MessagesModule {}
