import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { ParcelsModule } from '../parcels/parcels.module';
import { ClearanceConsumer } from './clearance.consumer';
import { FrontDeskRepository } from './front-desk.repository';
import { OutreachController } from './outreach.controller';
import { OutreachMetrics } from './outreach.metrics';
import { OutreachRepository } from './outreach.repository';
import { OutreachService } from './outreach.service';
import { TaskQueriesService } from './task-queries.service';

/** Steward tasks from clearance events, the front-desk queue, and the steward read API. */
@Module({
  imports: [DirectoryModule, ParcelsModule],
  controllers: [ClearanceConsumer, OutreachController],
  providers: [OutreachService, TaskQueriesService, OutreachRepository, FrontDeskRepository, OutreachMetrics],
  // front-desk/ links queued parcels by hand and resumes their documents request.
  exports: [OutreachService, OutreachRepository, OutreachMetrics],
})
export class OutreachModule {}
