import { Injectable } from '@nestjs/common';
import { assertTenantAccess, AuthError, canAccessTenant, type Principal } from '@portico/auth';
import { BadRequestError } from '@portico/service-kit';
import { z } from 'zod';
import { UnitOfWork } from '@portico/service-kit';
import type { MonthlyReview } from '@portico/contracts';
import { reviewFigures } from './review-figures';
import { ReviewRepository } from './review.repository';

/** `GET /v1/reviews/monthly?month=2026-11[&propertyId=…][&tenantId=…][&timeZone=Asia/Shanghai]` */
export const monthlyReviewQuery = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
    propertyId: z.string().min(1).max(64).optional(),
    tenantId: z.string().min(1).max(64).optional(),
    timeZone: z.string().min(1).max(64).default('Asia/Shanghai'),
  })
  .strict();
export type MonthlyReviewQuery = z.infer<typeof monthlyReviewQuery>;

export type { MonthlyReview, PropertyReview } from '@portico/contracts';

class UnknownTimeZoneError extends BadRequestError {
  constructor() {
    super('unknown_time_zone', {
      en: 'The time zone is not a known IANA zone (for example Asia/Shanghai).',
      zh: '时区无效，请使用 IANA 时区名称（例如 Asia/Shanghai）。',
    });
  }
}

class TenantRequiredError extends BadRequestError {
  constructor() {
    super('tenant_required', {
      en: 'Operators must say which tenant to review (tenantId).',
      zh: '运营人员必须指定要查看的租户（tenantId）。',
    });
  }
}

/**
 * The monthly review for property managers: per property, from the platform's own records.
 * Managers see their tenant, stewards the properties they work, operators any tenant.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly reviews: ReviewRepository,
  ) {}

  async monthly(caller: Principal, query: MonthlyReviewQuery): Promise<MonthlyReview> {
    if (!isTimeZone(query.timeZone)) throw new UnknownTimeZoneError();
    const tenantId = tenantOf(caller, query.tenantId);
    if (query.propertyId) assertTenantAccess(caller, { tenantId, propertyId: query.propertyId });
    const rows = await this.uow.read((m) =>
      this.reviews.casesOfMonth(m, {
        tenantId,
        propertyId: query.propertyId ?? null,
        month: `${query.month}-01`,
        timeZone: query.timeZone,
      }),
    );
    const byProperty = new Map<string | null, typeof rows>();
    for (const row of rows) byProperty.set(row.propertyId, [...(byProperty.get(row.propertyId) ?? []), row]);
    const properties = [...byProperty.entries()]
      // a steward without a property filter sees only the properties they work
      .filter(([propertyId]) =>
        propertyId === null ? isManagerial(caller) : canAccessTenant(caller, { tenantId, propertyId }),
      )
      .sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))
      .map(([propertyId, cases]) => ({ propertyId, ...reviewFigures(cases) }));
    return {
      tenantId,
      month: query.month,
      timeZone: query.timeZone,
      cohort: 'cases_opened_in_month',
      properties,
    };
  }
}

function isManagerial(caller: Principal): boolean {
  return caller.kind === 'person' && (caller.roles.includes('manager') || caller.roles.includes('operator'));
}

function tenantOf(caller: Principal, requested: string | undefined): string {
  if (caller.kind !== 'person') throw new AuthError('forbidden');
  if (caller.tenantId === null) {
    if (!requested) throw new TenantRequiredError();
    return requested;
  }
  const tenantId = requested ?? caller.tenantId;
  assertTenantAccess(caller, { tenantId });
  return tenantId;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
