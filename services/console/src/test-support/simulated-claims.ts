import { personMaySee, refusal, SimulatedUpstream, UNAUTHENTICATED, type SimulatedAnswer, type SimulatedRequest } from './simulated-upstream';

/** A claim as claims' API shows it (services/claims/src/claims/claim-view.ts; the fields the console reads). */
export interface SimulatedClaim {
  id: string;
  tenantId: string;
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
  propertyId: string | null;
  lane: string;
  reason: string;
  origin: string;
  state: string;
  openedAt: string;
  closedAt: string | null;
  lastScanAt: string | null;
  decision: string | null;
  decisionDefaulted: boolean;
  allowedActions: string[];
  history: Array<{ from: string | null; to: string; at: string; cause: string; actorId: string | null }>;
  log: Array<{ kind: string; at: string; actorId: string | null; details: Record<string, unknown> }>;
}

/**
 * SIMULATED claims API for the console's browser test — not the real service: `GET /v1/claims?parcelId=`
 * (no history), `GET /v1/claims/:id` (with history and log), `POST /v1/claims/:id/decision
 * {decision}` (409 decision_already_recorded / claim_action_not_allowed like claim-workflow.service.ts).
 * Another property's claim is 404 claim_not_found, as in the real mayAccess.
 */
export class SimulatedClaims extends SimulatedUpstream {
  readonly claims = new Map<string, SimulatedClaim>();
  readonly decisions: Array<{ claimId: string; decision: string; subject: string }> = [];

  protected route({ method, url, body, caller }: SimulatedRequest): SimulatedAnswer {
    if (!caller) return UNAUTHENTICATED;
    const visible = (c: SimulatedClaim) => personMaySee(caller, c) && (c.propertyId !== null || !caller.roles.includes('steward'));
    const brief = ({ history: _h, log: _l, ...c }: SimulatedClaim) => c;
    if (method === 'GET' && url.pathname === '/v1/claims') {
      const parcelId = url.searchParams.get('parcelId');
      const items = [...this.claims.values()].filter((c) => visible(c) && (!parcelId || c.parcelId === parcelId) && (parcelId || !c.closedAt)).map(brief);
      return { status: 200, body: { items } };
    }
    const m = /^\/v1\/claims\/([^/]+)(\/decision)?$/.exec(url.pathname);
    const claim = m ? this.claims.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !claim || !visible(claim)) return refusal(404, 'claim_not_found', 'Claim not found.', '理赔不存在。');
    if (method === 'GET' && !m[2]) return { status: 200, body: claim };
    if (method !== 'POST' || !m[2]) return refusal(404, 'not_found', 'Not found.', '未找到。');
    const decision = (body as { decision?: string } | undefined)?.decision ?? '';
    if (!['reship', 'refund', 'coupon'].includes(decision)) return refusal(400, 'validation_failed', 'decision is not reship, refund or coupon', '决定无效');
    if (claim.decision) return refusal(409, 'decision_already_recorded', 'The decision was already recorded.', '客户决定已记录。');
    if (claim.state !== 'awaiting_customer_decision') return refusal(409, 'claim_action_not_allowed', 'The claim does not wait for a decision.', '该理赔当前不需要客户决定。');
    const at = new Date().toISOString();
    claim.decision = decision;
    claim.log.push({ kind: 'decision', at, actorId: caller.subject, details: { decision, defaulted: false } });
    this.decisions.push({ claimId: claim.id, decision, subject: caller.subject });
    return { status: 200, body: brief(claim) };
  }
}
