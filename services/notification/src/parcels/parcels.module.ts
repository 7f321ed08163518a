import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { ParcelsMetrics } from './parcels.metrics';
import { ParcelsRepository } from './parcels.repository';
import { ParcelsService } from './parcels.service';
import { RecipientResolver } from './recipient-resolver';
import { TrackingConsumer } from './tracking.consumer';

/** The parcel projection (from tracking events) and parcel-to-resident resolution. */
@Module({
  imports: [DirectoryModule],
  controllers: [TrackingConsumer],
  providers: [ParcelsService, ParcelsRepository, ParcelsMetrics, RecipientResolver],
  exports: [ParcelsRepository, RecipientResolver],
})
export class ParcelsModule {}
