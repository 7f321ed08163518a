import { Module } from '@nestjs/common';
import { MailBodyParser } from './mail-body.parser';
import { ReceiptsController } from './receipts.controller';
import { ReceiptsMetrics } from './receipts.metrics';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

/** Delivery receipts (SMS reports, e-mail DSNs) -> delivered / late failure / failover. */
@Module({
  controllers: [ReceiptsController],
  providers: [ReceiptsService, ReceiptsRepository, ReceiptsMetrics, MailBodyParser],
})
export class ReceiptsModule {}
