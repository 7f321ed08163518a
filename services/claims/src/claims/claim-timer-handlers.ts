import { Injectable, type OnModuleInit } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { DurableTimers } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { DetectionService } from '../detection/detection.service';
import { claimedAmountOf } from '../parcels/claimed-amount';
import { ParcelRepository } from '../parcels/parcel.repository';
import { TIMER_KIND, type DetectionPayload, type ServiceLevelPayload } from './claim-timers';
import { ClaimWorkflow } from './claim-workflow.service';
import { ClaimRepository } from './claim.repository';
import type { Timer } from '@portico/timers';

/**
 * claims' timer kinds on the service's one runner (DurableTimers). Each handler re-reads what it
 * acts on (locked) inside the claiming transaction and does database work only.
 */
@Injectable()
export class ClaimTimerHandlers implements OnModuleInit {
  constructor(
    private readonly timers: DurableTimers,
    private readonly detection: DetectionService,
    private readonly workflow: ClaimWorkflow,
    private readonly claims: ClaimRepository,
    private readonly parcels: ParcelRepository,
  ) {}

  onModuleInit(): void {
    // Batch handlers: a sweep after an outage (or a carrier going quiet) makes thousands due at once
    this.timers.registerBatch<DetectionPayload>(TIMER_KIND.noScan, async (ts, m) =>
      outcomes(await this.detection.onNoScanTimers(m, ts)),
    );
    this.timers.registerBatch<DetectionPayload>(TIMER_KIND.pastEstimatedDelivery, async (ts, m) =>
      outcomes(await this.detection.onPastEstimatedDeliveryTimers(m, ts)),
    );
    this.timers.register<ServiceLevelPayload>(TIMER_KIND.serviceLevel, async (t, m) =>
      outcome(await this.serviceLevel(t, m)),
    );
  }

  async serviceLevel(t: Timer<ServiceLevelPayload>, m: EntityManager): Promise<string> {
    const c = await this.claims.findById(m, t.payload.claimId, { lock: true });
    if (!c) return 'moot';
    trace.getActiveSpan()?.setAttribute('portico.claim_id', c.id);
    return this.workflow.breach(
      m,
      c,
      t.payload.level,
      new Date(t.payload.dueAt),
      t.payload.targetMinutes,
      async () => claimedAmountOf(await this.parcels.find(m, c.tenantId, c.parcel.parcelId)),
    );
  }
}

/** The batch's outcomes counted on the (first timer's) span the runner made active. */
function outcomes(os: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const o of os) counts.set(o, (counts.get(o) ?? 0) + 1);
  const span = trace.getActiveSpan();
  for (const [o, n] of counts) span?.setAttribute(`portico.claims.outcome.${o}`, n);
}

function outcome(o: string): void {
  trace.getActiveSpan()?.setAttribute('portico.claims.outcome', o);
}
