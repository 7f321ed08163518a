import { Inject, Injectable } from '@nestjs/common';
import { assertTenantAccess, AuthError, type Principal } from '@portico/auth';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { BadRequestError, ConflictError } from '@portico/service-kit';
import { CaseActivityRepository } from '../cases/case-activity.repository';
import { CaseLifecycleService } from '../cases/case-lifecycle.service';
import { toCaseView, type CaseView } from '../cases/case-view';
import { CaseRepository } from '../cases/case.repository';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import { holdNoticeOf, type FrontDeskReportBody } from './front-desk-report';

export const FRONT_DESK_REPORT_PREFIX = 'fdr';

export interface ReportResult {
  /** false when the parcel already had an open case for this hold (the carrier's event came first). */
  readonly created: boolean;
  readonly case: CaseView;
}

class TenantRequiredError extends BadRequestError {
  constructor() {
    super('tenant_required', {
      en: 'Operators must say which tenant the report is for (tenantId).',
      zh: '运营人员提交报告时必须指定租户（tenantId）。',
    });
  }
}

class HoldAlreadyClosedError extends ConflictError {
  constructor() {
    super('hold_already_closed', {
      en: 'This parcel was released after the time of this notice; no case was opened.',
      zh: '该包裹在此通知时间之后已放行，未创建案件。',
    });
  }
}

/**
 * The fallback channel into clearance: a front-desk report opens the same case a carrier's hold
 * event would (same policy, deadline, timers and events), and meets it idempotently: whichever
 * arrives second finds the open case and changes nothing.
 */
@Injectable()
export class FrontDeskService {
  private readonly reports: Counter<'outcome'>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly lifecycle: CaseLifecycleService,
    private readonly cases: CaseRepository,
    private readonly activity: CaseActivityRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.reports = new Counter({
      name: 'portico_clearance_front_desk_reports_total',
      help: 'Holds reported at the front desk, by whether they opened a case or met an open one',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    for (const outcome of ['opened', 'already_open']) this.reports.inc({ outcome }, 0);
  }

  async report(caller: Principal, body: FrontDeskReportBody): Promise<ReportResult> {
    const tenantId = tenantOf(caller, body);
    const reportId = this.newId(FRONT_DESK_REPORT_PREFIX);
    const notice = holdNoticeOf(body, tenantId, reportId, this.clock());
    return this.uow.transaction(async (m) => {
      const outcome = await this.lifecycle.openForHold(m, notice);
      let caseId: string | undefined = outcome.caseIds[0];
      if (outcome.kind === 'ignored' && outcome.reason === 'duplicate') {
        // another transaction opened the hold a moment ago: report against that case
        caseId = (await this.cases.casesOfParcel(m, tenantId, notice.parcel.parcelId, { lock: false })).find(
          (c) => c.closedAt === null && c.holdReason === notice.reason,
        )?.id;
      }
      if (!caseId) throw new HoldAlreadyClosedError();
      const created = outcome.kind === 'opened';
      await this.activity.record(m, {
        caseId,
        kind: 'front_desk_reported',
        actorId: caller.kind === 'person' ? caller.subject : null,
        sourceEventId: reportId,
        at: notice.occurredAt,
      });
      const c = (await this.cases.findById(m, caseId))!;
      this.reports.inc({ outcome: created ? 'opened' : 'already_open' });
      return { created, case: toCaseView(c, await this.cases.historyOf(m, [caseId])) };
    });
  }
}

function tenantOf(caller: Principal, body: FrontDeskReportBody): string {
  if (caller.kind !== 'person') throw new AuthError('forbidden');
  if (caller.tenantId === null) {
    if (!body.tenantId) throw new TenantRequiredError();
    return body.tenantId;
  }
  const tenantId = body.tenantId ?? caller.tenantId;
  assertTenantAccess(caller, { tenantId });
  return tenantId;
}
