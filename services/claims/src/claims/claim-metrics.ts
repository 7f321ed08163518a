import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import {
  CLAIM_REASONS,
  SERVICE_LEVEL_NAMES,
  incidentKindOf,
  type Claim,
  type ClaimOrigin,
  type CloseReason,
  type ServiceLevelName,
} from './claim';

const CLOSE_REASONS: readonly CloseReason[] = [
  'resolved',
  'parcel_found',
  'withdrawn',
  'cancelled',
  'settled_without_filing',
];
const ORIGINS: readonly ClaimOrigin[] = ['detection', 'resident', 'front_desk', 'operator'];

/**
 * Claims counters. Labels are closed sets (reason, origin, level, outcome) and, for the carrier
 * scorecards, the carrier code and lane (`JP-CN`): never a claim, parcel, tenant or property id,
 * never anything about the recipient.
 */
@Injectable()
export class ClaimMetrics {
  private readonly opened: Counter<'reason' | 'origin'>;
  private readonly closed: Counter<'reason'>;
  private readonly breaches: Counter<'level'>;
  private readonly detections: Counter<'reason' | 'outcome'>;
  private readonly parcels: Counter<'carrier' | 'lane'>;
  private readonly incidents: Counter<'carrier' | 'lane' | 'kind'>;
  private readonly decisions: Counter<'carrier' | 'lane' | 'outcome'>;
  private readonly timeToResolve: Histogram<'carrier' | 'lane'>;
  private readonly carrierRequests: Counter<'kind' | 'channel' | 'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.opened = new Counter({
      name: 'portico_claims_opened_total',
      help: 'Claims opened, by reason and by who or what opened them',
      labelNames: ['reason', 'origin'] as const,
      registers: [registry],
    });
    this.closed = new Counter({
      name: 'portico_claims_closed_total',
      help: 'Claims closed, by close reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    this.breaches = new Counter({
      name: 'portico_claims_sla_breaches_total',
      help: 'Claim service levels missed (ServiceLevelBreached), by level',
      labelNames: ['level'] as const,
      registers: [registry],
    });
    this.detections = new Counter({
      name: 'portico_claims_detections_total',
      help: 'Detection rules that fired: opened a claim, joined the open claim of the parcel, or met an incident already claimed',
      labelNames: ['reason', 'outcome'] as const,
      registers: [registry],
    });
    this.parcels = new Counter({
      name: 'portico_claims_parcels_tracked_total',
      help: "Parcels first seen on the tracking stream, per carrier and lane (the scorecards' denominator)",
      labelNames: ['carrier', 'lane'] as const,
      registers: [registry],
    });
    this.incidents = new Counter({
      name: 'portico_claims_incidents_total',
      help: 'Claims opened per carrier and lane, by loss or damage (loss rate = loss / parcels tracked)',
      labelNames: ['carrier', 'lane', 'kind'] as const,
      registers: [registry],
    });
    this.decisions = new Counter({
      name: 'portico_claims_carrier_decisions_total',
      help: 'Carrier decisions on filed claims per carrier and lane (approval rate)',
      labelNames: ['carrier', 'lane', 'outcome'] as const,
      registers: [registry],
    });
    this.timeToResolve = new Histogram({
      name: 'portico_claims_time_to_resolve_seconds',
      help: 'From opening to closing a claim, per carrier and lane',
      labelNames: ['carrier', 'lane'] as const,
      buckets: [3_600, 6 * 3_600, 24 * 3_600, 3 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 60 * 86_400],
      registers: [registry],
    });
    this.carrierRequests = new Counter({
      name: 'portico_claims_carrier_requests_total',
      help: 'Inquiries, filings and status polls performed with carriers, by channel and outcome',
      labelNames: ['kind', 'channel', 'outcome'] as const,
      registers: [registry],
    });
    for (const reason of CLAIM_REASONS) for (const origin of ORIGINS) this.opened.inc({ reason, origin }, 0);
    for (const reason of CLOSE_REASONS) this.closed.inc({ reason }, 0);
    for (const level of SERVICE_LEVEL_NAMES) this.breaches.inc({ level }, 0);
  }

  claimOpened(c: Claim): void {
    this.opened.inc({ reason: c.reason, origin: c.origin });
    this.incidents.inc({ carrier: c.parcel.carrierCode, lane: c.lane, kind: incidentKindOf(c.reason) });
  }

  claimClosed(c: Claim, reason: CloseReason, at: Date): void {
    this.closed.inc({ reason });
    this.timeToResolve.observe(
      { carrier: c.parcel.carrierCode, lane: c.lane },
      Math.max(0, (at.getTime() - c.openedAt.getTime()) / 1_000),
    );
  }

  carrierDecision(c: Claim, outcome: string): void {
    this.decisions.inc({ carrier: c.parcel.carrierCode, lane: c.lane, outcome });
  }

  slaBreached(level: ServiceLevelName): void {
    this.breaches.inc({ level });
  }

  detection(reason: string, outcome: 'opened' | 'joined_open_claim' | 'already_claimed'): void {
    this.detections.inc({ reason, outcome });
  }

  parcelTracked(carrier: string, lane: string): void {
    this.parcels.inc({ carrier, lane });
  }

  carrierRequest(kind: string, channel: string, outcome: 'done' | 'retry' | 'failed'): void {
    this.carrierRequests.inc({ kind, channel, outcome });
  }
}
