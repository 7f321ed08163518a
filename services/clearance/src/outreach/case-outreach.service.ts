import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { isOpen } from '../cases/case';
import { CaseActivityRepository, type ActivityKind } from '../cases/case-activity.repository';
import { CaseMetrics } from '../cases/case-metrics';
import { ConcurrentCaseUpdateError } from '../cases/case-writer';
import { CaseRepository } from '../cases/case.repository';
import { CaseTimers } from '../deadlines/case-timers';
import { CLOCK, type Clock } from '../shared/tokens';

export interface OutreachNotice {
  readonly eventId: string;
  readonly tenantId: string;
  readonly caseId: string;
  /** User id of the steward (or manager) who acted; never a name. */
  readonly actorId: string;
  readonly occurredAt: Date;
}

export type OutreachOutcome = 'acknowledged' | 'recorded' | 'ignored';

/**
 * What notification reports about the people working a case: the steward's acknowledgement stops
 * the SLA clock; every action is kept, timestamped, for the steward-effort and escalation metrics;
 * the resolved property lets the monthly review group cases by property.
 */
@Injectable()
export class CaseOutreachService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly activity: CaseActivityRepository,
    private readonly timers: CaseTimers,
    private readonly metrics: CaseMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('clearance-outreach') private readonly logger: PinoLogger,
  ) {}

  /** The first acknowledgement of the current round counts; later ones are activity only. */
  async acknowledged(m: EntityManager, n: OutreachNotice): Promise<OutreachOutcome> {
    const c = await this.cases.findById(m, n.caseId, { lock: true });
    if (!c || c.tenantId !== n.tenantId) return this.unknown(n);
    await this.record(m, n, 'task_acknowledged');
    if (!isOpen(c) || c.acknowledgedAt || !c.ackDueAt) return 'recorded';
    const next = { ...c, acknowledgedAt: n.occurredAt, updatedAt: this.clock(), version: c.version + 1 };
    if (!(await this.cases.saveAckMarks(m, next, c.version))) throw new ConcurrentCaseUpdateError(c.id);
    await this.timers.acknowledged(m, c.id);
    this.logger.info(
      { caseId: c.id, parcelId: c.parcel.parcelId, tenantId: c.tenantId },
      'steward acknowledged',
    );
    return 'acknowledged';
  }

  async acted(
    m: EntityManager,
    n: OutreachNotice,
    kind: Extract<ActivityKind, 'task_reassigned' | 'resident_contacted' | 'escalated'>,
  ): Promise<OutreachOutcome> {
    const c = await this.cases.findById(m, n.caseId);
    if (!c || c.tenantId !== n.tenantId) return this.unknown(n);
    await this.record(m, n, kind);
    if (kind === 'escalated') this.metrics.escalated();
    return 'recorded';
  }

  /** Every case of the parcel (open or closed) learns the property; returns their ids. */
  resolved(m: EntityManager, tenantId: string, parcelId: string, propertyId: string): Promise<string[]> {
    return this.cases.setProperty(m, tenantId, parcelId, propertyId);
  }

  private record(m: EntityManager, n: OutreachNotice, kind: ActivityKind): Promise<void> {
    return this.activity.record(m, {
      caseId: n.caseId,
      kind,
      actorId: n.actorId,
      sourceEventId: n.eventId,
      at: n.occurredAt,
    });
  }

  private unknown(n: OutreachNotice): OutreachOutcome {
    this.logger.warn(
      { caseId: n.caseId, tenantId: n.tenantId, eventId: n.eventId },
      'outreach event for an unknown case ignored',
    );
    return 'ignored';
  }
}
