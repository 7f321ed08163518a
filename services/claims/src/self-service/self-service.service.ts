import { Inject, Injectable } from '@nestjs/common';
import { InvalidParcelReferenceError, parcelId as parcelIdOf } from '@portico/contracts';
import type { Principal } from '@portico/auth';
import { BadRequestError, ConflictError, UnitOfWork } from '@portico/service-kit';
import { parcelNotFound } from '../claims/claim-errors';
import { ClaimWorkflow } from '../claims/claim-workflow.service';
import { ClaimRepository } from '../claims/claim.repository';
import type { Detection } from '../detection/detection-rules';
import { noScanDueAt } from '../detection/detection-rules';
import { isInternational, type Parcel } from '../parcels/parcel';
import { ParcelRepository } from '../parcels/parcel.repository';
import { TenantSettings } from '../settings/tenant-settings';
import { actorIdOf, mayAccess, tenantOf } from '../shared/callers';
import { CLOCK, type Clock } from '../shared/tokens';
import { answerIntent, type Intent, type IntentAnswer } from './intent-answers';

export interface IntentRequest {
  readonly intent: Intent;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly tenantId?: string;
  readonly openClaim: boolean;
  readonly reportedBy?: 'resident' | 'front_desk';
}

export interface IntentResult extends IntentAnswer {
  readonly intent: Intent;
  readonly parcel: {
    readonly parcelId: string;
    readonly carrierCode: string;
    readonly status: string;
    readonly lastScanAt: string;
    readonly deliveredAt: string | null;
    readonly estimatedDelivery: string | null;
  };
  readonly noScanRule: { readonly counting: boolean; readonly firesAt: string | null };
  readonly claim: { readonly id: string; readonly state: string; readonly created: boolean } | null;
}

const cannotOpen = () =>
  new BadRequestError('intent_cannot_open_claim', {
    en: '"Tracking not updating" does not open a claim; the no-scan rule does when it fires.',
    zh: '"物流未更新"不会直接立案；无扫描规则触发时系统会自动立案。',
  });

const notArrived = () =>
  new ConflictError('parcel_not_delivered', {
    en: 'The carrier has not reported this parcel delivered or ready for pickup yet.',
    zh: '承运商尚未显示该包裹已签收或待取件。',
  });

/**
 * Self-service intents for residents (through the console, chat channels or the property's system)
 * and front desks: answered from the parcel projection; "not received" and "damaged on arrival"
 * open a claim on request, at most one per parcel and delivery.
 */
@Injectable()
export class SelfServiceService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly parcels: ParcelRepository,
    private readonly claims: ClaimRepository,
    private readonly workflow: ClaimWorkflow,
    private readonly settings: TenantSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  ask(caller: Principal, r: IntentRequest): Promise<{ created: boolean; result: IntentResult }> {
    let parcelId: string;
    try {
      parcelId = parcelIdOf(r.carrierCode, r.trackingNumber);
    } catch (e) {
      if (e instanceof InvalidParcelReferenceError) {
        throw new BadRequestError('invalid_parcel_reference', {
          en: 'The carrier code or tracking number is not valid.',
          zh: '承运商代码或运单号无效。',
        });
      }
      throw e;
    }
    const tenantId = tenantOf(caller, r.tenantId);
    if (r.openClaim && r.intent === 'tracking_not_updating') throw cannotOpen();
    return this.uow.transaction(async (m) => {
      const p = await this.parcels.find(m, tenantId, parcelId, { lock: r.openClaim });
      if (!p || !mayAccess(caller, p.tenantId, p.propertyId)) throw parcelNotFound();
      const settings = await this.settings.of(m, tenantId);
      let claim = (await this.claims.findOpenForParcel(m, tenantId, parcelId)) ?? null;
      let created = false;
      if (r.openClaim && !claim) {
        const detection = this.detectionFor(r.intent, p);
        const outcome = await this.workflow.open(m, {
          parcel: p,
          detection,
          origin: (r.reportedBy ?? defaultReporter(caller)) === 'resident' ? 'resident' : 'front_desk',
          actorId: actorIdOf(caller),
          triggerEventId: '',
          settings,
        });
        claim = outcome.claim;
        created = outcome.kind === 'opened';
      }
      const noScanFiresAt = noScanDueAt(p, settings);
      const claimRef = claim ? { id: claim.id, state: claim.state, created } : null;
      const answer = answerIntent(r.intent, {
        parcel: p,
        noScanFiresAt,
        noScanDays: isInternational(p)
          ? settings.detection.noScan.internationalDays
          : settings.detection.noScan.domesticDays,
        claim: claim && claim.closedAt === null ? claimRef : null,
        now: this.clock(),
      });
      return {
        created,
        result: {
          intent: r.intent,
          ...answer,
          parcel: {
            parcelId: p.parcel.parcelId,
            carrierCode: p.parcel.carrierCode,
            status: p.status,
            lastScanAt: p.lastScanAt.toISOString(),
            deliveredAt: p.deliveredAt?.toISOString() ?? null,
            estimatedDelivery: p.estimatedDelivery,
          },
          noScanRule: { counting: noScanFiresAt !== null, firesAt: noScanFiresAt?.toISOString() ?? null },
          claim: claimRef,
        },
      };
    });
  }

  private detectionFor(intent: Intent, p: Parcel): Detection {
    if (intent === 'package_not_received') {
      if (p.status !== 'delivered' || !p.deliveredAt) throw notArrived();
      return {
        reason: 'not_received',
        ruleId: '',
        incidentKey: `not_received:${p.deliveredAt.toISOString()}`,
      };
    }
    if (!['delivered', 'available_for_pickup'].includes(p.status)) throw notArrived();
    const arrived = p.deliveredAt ?? p.lastScanAt;
    return {
      reason: 'damaged_on_arrival',
      ruleId: '',
      incidentKey: `damaged_on_arrival:${arrived.toISOString()}`,
    };
  }
}

function defaultReporter(caller: Principal): 'resident' | 'front_desk' {
  // staff at the desk report for themselves; systems and chat channels relay what residents say
  return caller.kind === 'person' ? 'front_desk' : 'resident';
}
