import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Principal } from '@portico/auth';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { UnitOfWork } from '@portico/service-kit';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { parcelNotFound } from '../claims/claim-errors';
import { actorIdOf, mayAccess, tenantOf } from '../shared/callers';
import { CLOCK, type Clock } from '../shared/tokens';
import { insuranceChange, insuranceView, type InsuranceCoverage, type InsuranceView } from './insurance';
import { InsuranceRepository } from './insurance.repository';

/**
 * Reads and records a parcel's insurance coverage for the caller's tenant. A parcel of another
 * tenant, or one the caller's properties do not cover, is "not found". PUT is idempotent: the same
 * coverage again writes nothing and answers as the first time.
 */
@Injectable()
export class ParcelInsurance {
  private readonly recorded: Counter<'outcome'>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: InsuranceRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @InjectPinoLogger('claims-insurance') private readonly logger: PinoLogger,
  ) {
    this.recorded = new Counter({
      name: 'portico_claims_insurance_recorded_total',
      help: 'Insurance coverage PUTs on parcels, by outcome (created, changed, unchanged)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  }

  async get(caller: Principal, parcelId: string, tenant: string | undefined): Promise<InsuranceView> {
    const tenantId = tenantOf(caller, tenant);
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', parcelId);
    const found = await this.uow.read((m) => this.repo.find(m, tenantId, parcelId));
    if (!found || !mayAccess(caller, tenantId, found.propertyId)) throw parcelNotFound();
    return insuranceView(parcelId, found.insurance);
  }

  async put(
    caller: Principal,
    parcelId: string,
    tenant: string | undefined,
    coverage: InsuranceCoverage,
  ): Promise<InsuranceView> {
    const tenantId = tenantOf(caller, tenant);
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', parcelId);
    const now = this.clock();
    const { view, change } = await this.uow.transaction(async (m) => {
      // locked: a tracking event for the parcel waits, so it sees source 'api' and keeps it
      const found = await this.repo.find(m, tenantId, parcelId, { lock: true });
      if (!found || !mayAccess(caller, tenantId, found.propertyId)) throw parcelNotFound();
      const change = insuranceChange(found.insurance, coverage);
      if (change === 'unchanged') return { view: insuranceView(parcelId, found.insurance), change };
      const by = actorIdOf(caller);
      await this.repo.record(m, tenantId, parcelId, coverage, by, now);
      return {
        view: insuranceView(parcelId, { source: 'api', ...coverage, updatedAt: now, updatedBy: by }),
        change,
      };
    });
    this.recorded.inc({ outcome: change });
    trace.getActiveSpan()?.setAttribute('portico.claims.insurance_change', change);
    // ids and the closed-set coverage type only: the policy reference stays in the database
    this.logger.info(
      { tenantId, parcelId, change, coverageType: coverage.coverageType },
      'parcel insurance recorded',
    );
    return view;
  }
}
