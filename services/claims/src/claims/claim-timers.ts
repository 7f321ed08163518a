import { Injectable } from '@nestjs/common';
import { TimerScheduler, type ScheduleTimer } from '@portico/timers';
import type { EntityManager } from 'typeorm';
import { needsDamageAssessment, type Claim, type ServiceLevelName } from './claim';

export const TIMER_KIND = {
  serviceLevel: 'claims.service-level',
  noScan: 'claims.detect-no-scan',
  pastEstimatedDelivery: 'claims.detect-past-edd',
} as const;

export interface ServiceLevelPayload {
  readonly claimId: string;
  readonly level: ServiceLevelName;
  readonly dueAt: string;
  readonly targetMinutes: number;
}

export interface DetectionPayload {
  readonly tenantId: string;
  readonly parcelId: string;
  /** The last scan the timer was armed on: a newer scan re-arms it, so a mismatch means moot. */
  readonly lastScanAt: string;
}

const MINUTE = 60_000;

export function claimTimerPrefix(claimId: string): string {
  return `claim:${claimId}:`;
}

export function detectionTimerPrefix(tenantId: string, parcelId: string): string {
  return `detect:${parcelId}:${tenantId}:`;
}

function targetOf(c: Claim, level: ServiceLevelName): number {
  const s = c.serviceLevels;
  switch (level) {
    case 'acknowledgement':
      return s.acknowledgementMinutes;
    case 'customer_explanation':
      return s.customerExplanationMinutes;
    case 'damage_assessment':
      return s.damageAssessmentMinutes;
    case 'customer_decision':
      return s.customerDecisionMinutes;
    case 'carrier_response':
      return s.carrierResponseMinutes;
  }
}

/** A service-level timer of `level`, due its target after `from`. */
export function serviceLevelTimer(
  c: Claim,
  level: ServiceLevelName,
  from: Date,
): ScheduleTimer<ServiceLevelPayload> {
  const targetMinutes = targetOf(c, level);
  const dueAt = new Date(from.getTime() + targetMinutes * MINUTE);
  return {
    key: `${claimTimerPrefix(c.id)}sla:${level}`,
    kind: TIMER_KIND.serviceLevel,
    dueAt,
    payload: { claimId: c.id, level, dueAt: dueAt.toISOString(), targetMinutes },
  };
}

/**
 * The service levels a claim starts with: acknowledgement (unless the tenant's target is 0, when
 * the platform's automatic receipt is the acknowledgement), the explanation to the customer, and
 * for damage the assessment. The decision window and the carrier's response start later.
 */
export function openingTimers(c: Claim): ScheduleTimer<ServiceLevelPayload>[] {
  const levels: ServiceLevelName[] = ['customer_explanation'];
  if (c.serviceLevels.acknowledgementMinutes > 0) levels.unshift('acknowledgement');
  if (needsDamageAssessment(c.reason)) levels.push('damage_assessment');
  return levels.map((l) => serviceLevelTimer(c, l, c.openedAt));
}

/** Schedules and cancels claims' durable timers, always in the transaction of the change. */
@Injectable()
export class ClaimTimers {
  private readonly scheduler = new TimerScheduler();

  async opened(m: EntityManager, c: Claim): Promise<void> {
    await this.openedMany(m, [c]);
  }

  /** The opening service levels of several new claims in one statement. */
  async openedMany(m: EntityManager, cs: readonly Claim[]): Promise<void> {
    await this.scheduler.scheduleMany(m, cs.flatMap(openingTimers));
  }

  async start(m: EntityManager, c: Claim, level: ServiceLevelName, from: Date): Promise<Date> {
    const t = serviceLevelTimer(c, level, from);
    await this.scheduler.schedule(m, t);
    return t.dueAt;
  }

  async met(m: EntityManager, claimId: string, level: ServiceLevelName): Promise<void> {
    await this.scheduler.cancel(m, `${claimTimerPrefix(claimId)}sla:${level}`);
  }

  async closed(m: EntityManager, claimId: string): Promise<void> {
    await this.scheduler.cancelByPrefix(m, claimTimerPrefix(claimId));
  }

  /** Re-arms (or removes) a parcel's time-based detection rules after its projection moved. */
  async armDetection(
    m: EntityManager,
    p: { tenantId: string; parcelId: string; lastScanAt: Date },
    noScanAt: Date | null,
    pastEddAt: Date | null,
  ): Promise<void> {
    const prefix = detectionTimerPrefix(p.tenantId, p.parcelId);
    const payload: DetectionPayload = {
      tenantId: p.tenantId,
      parcelId: p.parcelId,
      lastScanAt: p.lastScanAt.toISOString(),
    };
    const schedule: ScheduleTimer<DetectionPayload>[] = [];
    if (noScanAt)
      schedule.push({ key: `${prefix}no-scan`, kind: TIMER_KIND.noScan, dueAt: noScanAt, payload });
    else await this.scheduler.cancel(m, `${prefix}no-scan`);
    if (pastEddAt) {
      schedule.push({
        key: `${prefix}past-edd`,
        kind: TIMER_KIND.pastEstimatedDelivery,
        dueAt: pastEddAt,
        payload,
      });
    } else await this.scheduler.cancel(m, `${prefix}past-edd`);
    if (schedule.length > 0) await this.scheduler.scheduleMany(m, schedule);
  }
}
