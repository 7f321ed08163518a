import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { FailedMessagesController } from '../messages/failed-messages.controller';
import { FailedMessagesRepository } from '../messages/failed-messages.repository';
import { FailedMessagesService } from '../messages/failed-messages.service';
import { MessageHistoryController } from '../messages/message-history.controller';
import { MessageHistoryRepository } from '../messages/message-history.repository';
import { MessageHistoryService } from '../messages/message-history.service';
import { ParcelsModule } from '../parcels/parcels.module';
import { ClearanceConsumer } from './clearance.consumer';
import { ConsentWithdrawnHandler } from './consent-withdrawn';
import { EscalationService } from './escalation.service';
import { FrontDeskRepository } from './front-desk.repository';
import { OutreachController } from './outreach.controller';
import { OutreachMetrics } from './outreach.metrics';
import { OutreachRepository } from './outreach.repository';
import { OutreachService } from './outreach.service';
import { ResidentNoticesService } from './resident-notices.service';
import { TaskActionsController } from './task-actions.controller';
import { TaskActionsRepository } from './task-actions.repository';
import { TaskActionsService } from './task-actions.service';
import { TaskQueriesService } from './task-queries.service';
import { TaskTimers } from './task-timers';

/** Steward tasks from clearance events, their escalation, the steward actions, the front-desk queue and the read APIs (tasks, messages). */
@Module({
  imports: [DirectoryModule, ParcelsModule],
  controllers: [
    ClearanceConsumer,
    OutreachController,
    TaskActionsController,
    // before MessageHistoryController: `messages/failed` is not a `messages/:id` of anything there
    FailedMessagesController,
    MessageHistoryController,
  ],
  providers: [
    OutreachService,
    TaskQueriesService,
    TaskActionsService,
    EscalationService,
    ResidentNoticesService,
    ConsentWithdrawnHandler,
    TaskTimers,
    OutreachRepository,
    TaskActionsRepository,
    FrontDeskRepository,
    OutreachMetrics,
    MessageHistoryService,
    MessageHistoryRepository,
    FailedMessagesService,
    FailedMessagesRepository,
  ],
  // front-desk/ links queued parcels by hand and resumes their documents request.
  exports: [OutreachService, OutreachRepository, OutreachMetrics],
})
export class OutreachModule {}
