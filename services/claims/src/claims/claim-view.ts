import type { Money } from '../parcels/parcel';
import type { Claim, ClaimTransition } from './claim';
import type { LogEntry } from './claim-log.repository';
import { allowedCommands } from './claim-state';

export interface MoneyView {
  readonly currencyCode: string;
  /** A string: minor units can exceed what JSON numbers hold exactly. */
  readonly amountMinor: string;
}

export const moneyView = (m: Money | null): MoneyView | null =>
  m ? { currencyCode: m.currencyCode, amountMinor: m.amountMinor.toString() } : null;

/** A claim as the API shows it: ids, states, reasons, times; never anything about the recipient. */
export function claimView(c: Claim, extra: { history?: ClaimTransition[]; log?: LogEntry[] } = {}) {
  return {
    id: c.id,
    tenantId: c.tenantId,
    parcelId: c.parcel.parcelId,
    carrierCode: c.parcel.carrierCode,
    trackingNumber: c.parcel.trackingNumber,
    propertyId: c.propertyId,
    lane: c.lane,
    reason: c.reason,
    origin: c.origin,
    ruleId: c.ruleId,
    state: c.state,
    version: c.version,
    openedAt: c.openedAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
    closeReason: c.closeReason,
    lastScanAt: c.lastScanAt?.toISOString() ?? null,
    serviceLevels: {
      targets: c.serviceLevels,
      acknowledgedAt: c.acknowledgedAt?.toISOString() ?? null,
      explainedAt: c.explainedAt?.toISOString() ?? null,
      assessedAt: c.assessedAt?.toISOString() ?? null,
      decisionDueAt: c.decisionDueAt?.toISOString() ?? null,
    },
    decision: c.decision,
    decisionDefaulted: c.decisionDefaulted,
    defaultDecision: c.defaultDecision,
    outcome: c.outcome,
    granted: moneyView(c.granted),
    allowedActions: c.closedAt ? [] : allowedCommands(c.state),
    ...(extra.history
      ? {
          history: extra.history.map((t) => ({
            from: t.from,
            to: t.to,
            at: t.at.toISOString(),
            cause: t.cause,
            actorId: t.actorId,
          })),
        }
      : {}),
    ...(extra.log
      ? {
          log: extra.log.map((e) => ({
            kind: e.kind,
            at: e.at.toISOString(),
            actorId: e.actorId,
            details: e.details,
          })),
        }
      : {}),
  };
}
export type ClaimView = ReturnType<typeof claimView>;
