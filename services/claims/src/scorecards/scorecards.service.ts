import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { tenantScopeOf } from '../shared/callers';
import { CLOCK, type Clock } from '../shared/tokens';
import { buildScorecards, laneFilterOf, periodOf, type Period, type Scorecard } from './scorecard';
import { ScorecardRepository, type ScorecardScope } from './scorecard.repository';

export interface ScorecardQuery {
  readonly carrier?: string | undefined;
  readonly lane?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly tenantId?: string | undefined;
}

export interface ScorecardReport {
  readonly tenantId: string | null;
  readonly period: { readonly from: string; readonly to: string };
  readonly items: Scorecard[];
}

/** Scorecards for a caller (their tenant; operators any or all) and for the gauges (all tenants). */
@Injectable()
export class Scorecards {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: ScorecardRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async forCaller(caller: Principal, q: ScorecardQuery): Promise<ScorecardReport> {
    const tenantId = tenantScopeOf(caller, q.tenantId);
    const period = periodOf(q, this.clock());
    const items = await this.uow.read((m) =>
      this.compute(m, {
        tenantId,
        period,
        carrierCode: q.carrier,
        lane: q.lane ? laneFilterOf(q.lane) : undefined,
      }),
    );
    trace.getActiveSpan()?.setAttribute('portico.claims.scorecards', items.length);
    return { tenantId, period: { from: period.from.toISOString(), to: period.to.toISOString() }, items };
  }

  /** Every tenant's parcels over `period` (the Prometheus gauges). */
  allTenants(period: Period): Promise<Scorecard[]> {
    return this.uow.read((m) => this.compute(m, { tenantId: null, period }));
  }

  private async compute(m: EntityManager, scope: ScorecardScope): Promise<Scorecard[]> {
    const [tracked, claims] = [await this.repo.tracked(m, scope), await this.repo.claims(m, scope)];
    return buildScorecards(tracked, claims);
  }
}
