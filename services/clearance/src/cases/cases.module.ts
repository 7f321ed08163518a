import { Module } from '@nestjs/common';
import { CaseLifecycleService } from './case-lifecycle.service';
import { CaseMetrics } from './case-metrics';
import { CaseQueriesService } from './case-queries.service';
import { CaseConsumer } from './case.consumer';
import { CaseRepository } from './case.repository';
import { CasesController } from './cases.controller';
import { PolicyRepository } from './policy.repository';

/** Clearance cases: opened and closed from tracking events, read over HTTP. */
@Module({
  controllers: [CaseConsumer, CasesController],
  providers: [CaseRepository, PolicyRepository, CaseLifecycleService, CaseQueriesService, CaseMetrics],
})
export class CasesModule {}
