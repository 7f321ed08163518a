import { Injectable } from '@nestjs/common';
import { assertTenantAccess, canAccessTenant, type Principal } from '@portico/auth';
import { UnitOfWork } from '@portico/service-kit';
import { caseAccessTarget } from './case-access';
import { CaseNotFoundError } from './case-errors';
import { CaseRepository } from './case.repository';
import { isCaseId, toCaseView, type CaseView, type ListCasesQuery } from './case-view';

/** The read side of cases, narrowed to what the caller may see. */
@Injectable()
export class CaseQueriesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cases: CaseRepository,
  ) {}

  /**
   * A parcel's cases, newest first. Cases of other tenants, or of properties the steward does not
   * look after, are left out, not refused: a parcel id is global.
   */
  async listByParcel(caller: Principal, query: ListCasesQuery): Promise<CaseView[]> {
    return this.uow.read(async (m) => {
      const visible = (await this.cases.findByParcel(m, query.parcelId)).filter((c) =>
        canAccessTenant(caller, caseAccessTarget(c)),
      );
      const history = await this.cases.historyOf(
        m,
        visible.map((c) => c.id),
      );
      return visible.map((c) => toCaseView(c, history));
    });
  }

  /** One case; 404 `case_not_found` when unknown, 403 `tenant_mismatch` when another tenant's or property's. */
  async get(caller: Principal, caseId: string): Promise<CaseView> {
    if (!isCaseId(caseId)) throw new CaseNotFoundError();
    return this.uow.read(async (m) => {
      const found = await this.cases.findById(m, caseId);
      if (!found) throw new CaseNotFoundError();
      assertTenantAccess(caller, caseAccessTarget(found));
      return toCaseView(found, await this.cases.historyOf(m, [found.id]));
    });
  }
}
