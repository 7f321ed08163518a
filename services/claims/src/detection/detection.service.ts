import { Inject, Injectable } from '@nestjs/common';
import type { Timer } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import { ClaimMetrics } from '../claims/claim-metrics';
import type { DetectionPayload } from '../claims/claim-timers';
import { ClaimTimers } from '../claims/claim-timers';
import { ClaimWorkflow, type OpenOutcome, type OpenRequest } from '../claims/claim-workflow.service';
import type { ClaimSettings } from '../settings/claim-settings';
import { ClaimRepository } from '../claims/claim.repository';
import { laneOf, type Parcel } from '../parcels/parcel';
import { project } from '../parcels/parcel-projection';
import { parcelKey, ParcelRepository } from '../parcels/parcel.repository';
import type { TrackingObservation } from '../parcels/tracking-observation';
import { TenantSettings } from '../settings/tenant-settings';
import { CLOCK, type Clock } from '../shared/tokens';
import {
  carrierExceptionDetection,
  noScanDetection,
  noScanDueAt,
  pastEstimatedDeliveryDetection,
  pastEstimatedDeliveryDueAt,
  showsParcelFound,
  timeRuleVerdict,
  type Detection,
} from './detection-rules';

export type TrackingOutcome = {
  readonly advanced: boolean;
  readonly opened?: OpenOutcome['kind'];
  readonly claimId?: string;
  readonly closedAsFound?: string;
};

export type TimeRuleOutcome = OpenOutcome['kind'] | 'moot';

/** States in which a newer scan may close a claim as found by itself (before filing). */
const AUTO_FOUND_STATES = new Set(['detected', 'verifying', 'carrier_inquiry', 'awaiting_customer_decision']);

/**
 * The parcel projection and every detection rule: projection and re-armed time rules on each
 * tracking event, carrier exceptions on consume, auto-close when a newer scan shows the parcel
 * found, and the no-scan / past-EDD timers' effects. Runs in the consumer's (or timer's) transaction.
 */
@Injectable()
export class DetectionService {
  constructor(
    private readonly parcels: ParcelRepository,
    private readonly claims: ClaimRepository,
    private readonly workflow: ClaimWorkflow,
    private readonly timers: ClaimTimers,
    private readonly settings: TenantSettings,
    private readonly metrics: ClaimMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onTracking(m: EntityManager, o: TrackingObservation): Promise<TrackingOutcome> {
    const now = this.clock();
    const existing = await this.parcels.find(m, o.tenantId, o.parcel.parcelId, { lock: true });
    const { next, advanced } = project(existing, o, now);
    await this.parcels.upsert(m, next);
    await this.parcels.addScan(m, o);
    if (!existing) this.metrics.parcelTracked(next.parcel.carrierCode, laneOf(next));
    const settings = await this.settings.of(m, o.tenantId);
    if (advanced) {
      await this.timers.armDetection(
        m,
        { tenantId: next.tenantId, parcelId: next.parcel.parcelId, lastScanAt: next.lastScanAt },
        noScanDueAt(next, settings),
        pastEstimatedDeliveryDueAt(next, settings),
      );
    }
    let closedAsFound: string | undefined;
    if (advanced) {
      const open = await this.claims.findOpenForParcel(m, o.tenantId, o.parcel.parcelId, { lock: true });
      if (open && AUTO_FOUND_STATES.has(open.state) && showsParcelFound(open.reason, o)) {
        await this.workflow.close(m, open, 'parcel_found', null, 'parcel_moved', o.eventId);
        closedAsFound = open.id;
      }
    }
    const detection = carrierExceptionDetection(o, settings);
    if (!detection) return { advanced, ...(closedAsFound ? { closedAsFound } : {}) };
    const opened = await this.open(m, next, detection, o.eventId, settings);
    return { advanced, opened: opened.kind, claimId: opened.claim.id };
  }

  private async open(
    m: EntityManager,
    p: Parcel,
    d: Detection,
    triggerEventId: string,
    settings: ClaimSettings,
  ) {
    return this.workflow.open(m, this.openRequest(p, d, triggerEventId, settings));
  }

  private openRequest(p: Parcel, d: Detection, triggerEventId: string, settings: ClaimSettings): OpenRequest {
    return { parcel: p, detection: d, origin: 'detection', actorId: null, triggerEventId, settings };
  }

  /** "No scan for N days" fired: re-check against the parcel as it is now (a late timer, a new scan). */
  onNoScanTimers(m: EntityManager, ts: readonly Timer<DetectionPayload>[]): Promise<TimeRuleOutcome[]> {
    return this.onTimeRule(m, ts, noScanDueAt, noScanDetection);
  }

  onPastEstimatedDeliveryTimers(
    m: EntityManager,
    ts: readonly Timer<DetectionPayload>[],
  ): Promise<TimeRuleOutcome[]> {
    return this.onTimeRule(m, ts, pastEstimatedDeliveryDueAt, pastEstimatedDeliveryDetection);
  }

  /**
   * A batch of due timers of one rule (the runner hands over every due timer of the kind in its
   * claimed batch): their parcels are read and locked in one query, each tenant's settings once,
   * each timer decided on its own (in due order), and the claims the batch opens written together
   * (ClaimWorkflow.openMany). A sweep over a backlog of thousands costs a few statements per batch
   * of 100, not several round trips per timer.
   */
  private async onTimeRule(
    m: EntityManager,
    ts: readonly Timer<DetectionPayload>[],
    dueAt: typeof noScanDueAt,
    detection: typeof noScanDetection,
  ): Promise<TimeRuleOutcome[]> {
    const parcels = await this.parcels.findMany(
      m,
      ts.map((t) => t.payload),
      { lock: true },
    );
    const settings = new Map<string, ClaimSettings>();
    const outcomes: TimeRuleOutcome[] = [];
    const opens: Array<{ at: number; request: OpenRequest }> = [];
    for (const t of ts) {
      const p = parcels.get(parcelKey(t.payload.tenantId, t.payload.parcelId));
      let s = p && settings.get(p.tenantId);
      if (p && !s) settings.set(p.tenantId, (s = await this.settings.of(m, p.tenantId)));
      const verdict = timeRuleVerdict(p, t.payload.lastScanAt, (q) => dueAt(q, s!), this.clock());
      if (verdict === 'rearm') {
        // the tenant raised the threshold since the timer was armed: the rule as it is now decides
        await this.timers.armDetection(
          m,
          { tenantId: p!.tenantId, parcelId: p!.parcel.parcelId, lastScanAt: p!.lastScanAt },
          noScanDueAt(p!, s!),
          pastEstimatedDeliveryDueAt(p!, s!),
        );
      } else if (verdict === 'open') {
        // the trigger is the last scan the parcel stalled after
        opens.push({
          at: outcomes.length,
          request: this.openRequest(p!, detection(p!, s!), p!.lastEventId, s!),
        });
      }
      outcomes.push('moot'); // an opened one is replaced below
    }
    const opened = await this.workflow.openMany(
      m,
      opens.map((o) => o.request),
    );
    opens.forEach((o, n) => (outcomes[o.at] = opened[n]!.kind));
    return outcomes;
  }
}
