import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { OutreachModule } from '../outreach/outreach.module';
import { ParcelsModule } from '../parcels/parcels.module';
import { FrontDeskQueueRepository } from './front-desk-queue.repository';
import { FrontDeskController } from './front-desk.controller';
import { FrontDeskService } from './front-desk.service';

/** The front-desk queue API: list unmatched parcels, link one to a resident by hand. */
@Module({
  imports: [DirectoryModule, ParcelsModule, OutreachModule],
  controllers: [FrontDeskController],
  providers: [FrontDeskService, FrontDeskQueueRepository],
})
export class FrontDeskModule {}
