import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseTimers } from '../deadlines/case-timers';
import type { ClearanceCase, CloseOutcome } from './case';
import { CaseActivityRepository } from './case-activity.repository';
import { CaseMetrics } from './case-metrics';

/**
 * What every close of a case does besides its transition, whichever path closed it (a release, a
 * return, the deadline): nothing of it may fire any more, and the review's figures learn how long
 * it took and how much steward work it needed.
 */
@Injectable()
export class CaseClosing {
  constructor(
    private readonly timers: CaseTimers,
    private readonly activity: CaseActivityRepository,
    private readonly metrics: CaseMetrics,
  ) {}

  async closed(m: EntityManager, c: ClearanceCase, outcome: CloseOutcome, closedAt: Date): Promise<void> {
    await this.timers.closed(m, c.id);
    const stewardTimes = await this.activity.stewardActionTimes(m, c.id);
    this.metrics.caseEnded(outcome, c.holdOccurredAt, closedAt, stewardTimes);
  }
}
