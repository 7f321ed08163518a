import { Module, type DynamicModule } from '@nestjs/common';
import { CaseDocumentRepository } from '../documents/case-document.repository';
import { CaseDocumentsService } from '../documents/case-documents.service';
import { VaultDocumentConsumer } from '../documents/vault-document.consumer';
import { CaseTimers, TIMER_RULES } from '../deadlines/case-timers';
import {
  ClearanceTimerRunner,
  TIMER_CONCURRENCY,
  TIMER_POLL_INTERVAL_MS,
} from '../deadlines/clearance-timer-runner';
import { DeadlineHandlers } from '../deadlines/deadline-handlers.service';
import type { TimerRules } from '../deadlines/timer-rules';
import { FrontDeskController } from '../front-desk/front-desk.controller';
import { FrontDeskService } from '../front-desk/front-desk.service';
import { CaseOutreachService } from '../outreach/case-outreach.service';
import { OutreachConsumer } from '../outreach/outreach.consumer';
import { CaseActivityRepository } from './case-activity.repository';
import { CaseLifecycleService } from './case-lifecycle.service';
import { CaseMetrics } from './case-metrics';
import { CaseQueriesService } from './case-queries.service';
import { CaseClosing } from './case-closing';
import { CaseWriter } from './case-writer';
import { CaseConsumer } from './case.consumer';
import { CaseRepository } from './case.repository';
import { CasesController } from './cases.controller';
import { OpenCaseGauges } from './open-case-gauges';
import { PolicyRepository } from './policy.repository';

export interface CasesModuleOptions {
  readonly timerRules: TimerRules;
  readonly timerPollIntervalMs: number;
  readonly timerConcurrency: number;
}

/**
 * Clearance cases: opened and closed from tracking events, moved by id-vault's documents and
 * notification's outreach, kept moving by durable timers, read over HTTP. One Nest module for
 * the folders cases/, documents/, outreach/, deadlines/: they share the case row and its writer.
 */
@Module({})
export class CasesModule {
  static forRoot(options: CasesModuleOptions): DynamicModule {
    return {
      module: CasesModule,
      controllers: [
        CaseConsumer,
        VaultDocumentConsumer,
        OutreachConsumer,
        CasesController,
        FrontDeskController,
      ],
      providers: [
        { provide: TIMER_RULES, useValue: options.timerRules },
        { provide: TIMER_POLL_INTERVAL_MS, useValue: options.timerPollIntervalMs },
        { provide: TIMER_CONCURRENCY, useValue: options.timerConcurrency },
        CaseRepository,
        CaseActivityRepository,
        CaseDocumentRepository,
        PolicyRepository,
        CaseWriter,
        CaseClosing,
        CaseTimers,
        CaseLifecycleService,
        CaseDocumentsService,
        CaseOutreachService,
        DeadlineHandlers,
        ClearanceTimerRunner,
        CaseQueriesService,
        FrontDeskService,
        CaseMetrics,
        OpenCaseGauges,
      ],
      exports: [CaseLifecycleService, CaseRepository, CaseWriter, CaseTimers],
    };
  }
}
