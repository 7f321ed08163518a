import type { ReviewFigures } from '../reviews/review-series';
import { personMaySee, refusal, SimulatedUpstream, UNAUTHENTICATED, type SimulatedAnswer, type SimulatedRequest } from './simulated-upstream';

/** A case as clearance's GET /v1/cases answers it (services/clearance/src/cases/case-view.ts; the fields the console reads). */
export interface SimulatedCase {
  id: string;
  tenantId: string;
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
  holdReason: string;
  state: string;
  open: boolean;
  requiredDocuments: Array<{ type: string; sides: string[] }>;
  deadline: string;
  expedited: boolean;
  propertyId: string | null;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  history: Array<{ from: string | null; to: string; at: string; cause: string; causeEventId: string | null }>;
}

/** The figures of clearance's review-figures.ts for one property and month (the console's copy of the shape). */
export type SimulatedFigures = ReviewFigures;

/**
 * SIMULATED clearance API for the console's browser test — not the real service. Answers
 * `GET /v1/cases?parcelId=` (filtered like the real listByParcel: the tenant, and the property once
 * it is known — a case without one is tenant-wide there, so the console's own stricter filter is
 * what keeps it from stewards), `GET
 * /v1/reviews/monthly` (per-property figures, stewards' properties only) and the public `GET
 * /v1/resident/status` by status token (the real ResidentStatusView shape).
 */
export class SimulatedClearance extends SimulatedUpstream {
  readonly cases = new Map<string, SimulatedCase>();
  /** `${tenantId}|${month}` → figures per property id. */
  readonly reviews = new Map<string, Map<string, SimulatedFigures>>();
  /** status token → the view clearance would build for it. */
  readonly statusViews = new Map<string, unknown>();
  readonly statusCalls: Array<{ authorization: string | undefined; acceptLanguage: string | undefined }> = [];

  protected route({ method, url, headers, caller }: SimulatedRequest): SimulatedAnswer {
    if (method === 'GET' && url.pathname === '/v1/resident/status') {
      const auth = headers.authorization;
      this.statusCalls.push({ authorization: auth, acceptLanguage: headers['accept-language'] as string | undefined });
      if (!auth) return refusal(401, 'status_token_missing', 'The status link is missing its token.', '状态链接缺少令牌。');
      const view = this.statusViews.get(auth.replace(/^Bearer /, ''));
      if (!view) return refusal(401, 'status_link_invalid', 'This status link does not work. Ask the front desk for a new one.', '此状态链接无效，请向前台索取新链接。');
      return { status: 200, body: view };
    }
    if (!caller) return UNAUTHENTICATED;
    if (method === 'GET' && url.pathname === '/v1/cases') {
      const parcelId = url.searchParams.get('parcelId') ?? '';
      if (!/^prc_[0-9a-f]{32}$/.test(parcelId)) return refusal(400, 'validation_failed', 'must be a parcel id', '必须是包裹编号');
      const items = [...this.cases.values()].filter((c) => c.parcelId === parcelId && personMaySee(caller, { tenantId: c.tenantId, propertyId: c.propertyId }));
      return { status: 200, body: { items } };
    }
    if (method === 'GET' && url.pathname === '/v1/reviews/monthly') {
      const month = url.searchParams.get('month') ?? '';
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return refusal(400, 'validation_failed', 'must be a month, YYYY-MM', '月份格式应为 YYYY-MM');
      const propertyId = url.searchParams.get('propertyId');
      const tenantId = caller.tenantId!;
      if (propertyId && !personMaySee(caller, { tenantId, propertyId })) return refusal(403, 'tenant_mismatch', 'Not your property.', '无权访问该物业。');
      const figures = this.reviews.get(`${tenantId}|${month}`) ?? new Map<string, SimulatedFigures>();
      const properties = [...figures.entries()]
        .filter(([p]) => (!propertyId || p === propertyId) && personMaySee(caller, { tenantId, propertyId: p }))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([p, f]) => ({ propertyId: p, ...f }));
      return { status: 200, body: { tenantId, month, timeZone: url.searchParams.get('timeZone') ?? 'Asia/Shanghai', cohort: 'cases_opened_in_month', properties } };
    }
    return refusal(404, 'not_found', 'Not found.', '未找到。');
  }
}
