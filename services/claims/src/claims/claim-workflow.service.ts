import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { channelFor } from '../carriers/carrier-channels';
import { CarrierRequestRepository } from '../carriers/carrier-request.repository';
import type { ClaimsConfig } from '../config';
import type { Detection } from '../detection/detection-rules';
import { laneOf, type Money, type Parcel } from '../parcels/parcel';
import type { ClaimSettings, CustomerDecision } from '../settings/claim-settings';
import { CLAIMS_CONFIG, CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import {
  isOpen,
  type CarrierChannel,
  type Claim,
  type ClaimOrigin,
  type ClaimOutcome,
  type CloseReason,
  type InquiryOutcome,
  type ServiceLevelName,
  type TransitionCause,
  type VerificationOutcome,
  type VerificationSource,
} from './claim';
import { actionNotAllowed, claimClosed, decisionAlreadyRecorded } from './claim-errors';
import {
  carrierInquiryAnsweredEvent,
  carrierInquirySentEvent,
  claimClosedEvent,
  claimFiledEvent,
  claimOpenedEvent,
  claimResolvedEvent,
  claimUnderReviewEvent,
  customerDecisionRecordedEvent,
  serviceLevelBreachedEvent,
  verificationRecordedEvent,
} from './claim-events';
import { ClaimLogRepository } from './claim-log.repository';
import { ClaimMetrics } from './claim-metrics';
import { canTransition, type ClaimCommand } from './claim-state';
import { steps, touch } from './claim-step';
import { ClaimTimers } from './claim-timers';
import { ClaimWriter } from './claim-writer';
import { ClaimRepository, incidentRef } from './claim.repository';

export interface OpenRequest {
  readonly parcel: Parcel;
  readonly detection: Detection;
  readonly origin: ClaimOrigin;
  readonly actorId: string | null;
  readonly triggerEventId: string;
  readonly settings: ClaimSettings;
}

export type OpenOutcome =
  | { readonly kind: 'opened'; readonly claim: Claim }
  /** The parcel already has an open claim (any incident): the new incident joins it. */
  | { readonly kind: 'joined_open_claim'; readonly claim: Claim }
  /** This incident was claimed before (redelivery, replay, a second report of the same thing). */
  | { readonly kind: 'already_claimed'; readonly claim: Claim };

/**
 * Every rule of a claim's life after it is detected: opening (once per parcel and incident),
 * verification, inquiry, decision, filing, the carrier's review and decision, service levels,
 * and closing. Each command runs in the caller's transaction and writes through ClaimWriter.
 * Calls to carriers are only queued here (CarrierRequestRepository); the CarrierWorker performs
 * them outside transactions and comes back through `inquirySent`, `filed`, `carrierStatus`.
 */
@Injectable()
export class ClaimWorkflow {
  constructor(
    private readonly claims: ClaimRepository,
    private readonly writer: ClaimWriter,
    private readonly timers: ClaimTimers,
    private readonly log: ClaimLogRepository,
    private readonly requests: CarrierRequestRepository,
    private readonly metrics: ClaimMetrics,
    @Inject(CLAIMS_CONFIG) private readonly config: ClaimsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async open(m: EntityManager, r: OpenRequest): Promise<OpenOutcome> {
    return (await this.openMany(m, [r]))[0]!;
  }

  /**
   * open() for several detections (a batch of due timers) in a few statements: their incidents
   * looked up in one query, the new claims, transitions, ClaimOpened events and opening service
   * levels written in one statement each. A request that meets an existing claim (this incident,
   * or another open claim of the parcel, also one opened earlier in the same batch) writes nothing
   * and reports it, exactly as open() alone.
   */
  async openMany(m: EntityManager, rs: readonly OpenRequest[]): Promise<OpenOutcome[]> {
    if (rs.length === 0) return [];
    const now = this.clock();
    const claimed = await this.claims.findByIncidents(
      m,
      rs.map((r) => ({
        tenantId: r.parcel.tenantId,
        parcelId: r.parcel.parcel.parcelId,
        incidentKey: r.detection.incidentKey,
      })),
    );
    const outcomes: Array<OpenOutcome | undefined> = rs.map((r) => {
      const c = claimed.get(
        incidentRef(r.parcel.tenantId, r.parcel.parcel.parcelId, r.detection.incidentKey),
      );
      return c ? this.counted(r.detection, { kind: 'already_claimed', claim: c }) : undefined;
    });
    const fresh = rs.flatMap((r, i) => (outcomes[i] ? [] : [{ i, r, ...this.newClaim(r, now) }]));
    const inserted = await this.writer.openMany(m, fresh);
    const opened = fresh.filter((f) => inserted.has(f.claim.id));
    await this.timers.openedMany(
      m,
      opened.map((f) => f.claim),
    );
    for (const f of fresh) {
      outcomes[f.i] = inserted.has(f.claim.id)
        ? this.counted(f.r.detection, { kind: 'opened', claim: f.claim })
        : await this.afterConflict(m, f.r);
    }
    return outcomes as OpenOutcome[];
  }

  private newClaim(r: OpenRequest, now: Date) {
    const { parcel: p, detection: d } = r;
    const claim: Claim = {
      id: this.ids('clm'),
      tenantId: p.tenantId,
      parcel: p.parcel,
      propertyId: p.propertyId,
      lane: laneOf(p),
      reason: d.reason,
      origin: r.origin,
      ruleId: d.ruleId,
      incidentKey: d.incidentKey,
      triggerEventId: r.triggerEventId,
      state: 'detected',
      version: 1,
      serviceLevels: r.settings.serviceLevels,
      defaultDecision: r.settings.defaultDecision,
      lastScanAt: p.lastScanAt,
      openedAt: now,
      updatedAt: now,
      closedAt: null,
      closeReason: null,
      // target 0: the platform's automatic receipt (ClaimOpened) is the acknowledgement
      acknowledgedAt: r.settings.serviceLevels.acknowledgementMinutes === 0 ? now : null,
      explainedAt: null,
      assessedAt: null,
      decision: null,
      decisionDefaulted: null,
      decisionDueAt: null,
      outcome: null,
      granted: null,
      resolvedAt: null,
      openedBy: r.actorId,
    };
    const opened = claimOpenedEvent(claim, {
      estimatedDelivery: p.estimatedDelivery,
      declaredValue: p.declaredValue,
      insuredValue: p.insuredValue,
    });
    return { claim, opened };
  }

  /** The insert met a unique index (a concurrent opener, or an earlier claim in the same batch). */
  private async afterConflict(m: EntityManager, r: OpenRequest): Promise<OpenOutcome> {
    const { parcel: p, detection: d } = r;
    const again = await this.claims.findByIncident(m, p.tenantId, p.parcel.parcelId, d.incidentKey);
    if (again) return this.counted(d, { kind: 'already_claimed', claim: again });
    const open = await this.claims.findOpenForParcel(m, p.tenantId, p.parcel.parcelId);
    if (!open) throw new Error('claim insert refused without a conflicting claim');
    return this.counted(d, { kind: 'joined_open_claim', claim: open });
  }

  private counted(d: Detection, o: OpenOutcome): OpenOutcome {
    this.metrics.detection(d.reason, o.kind);
    return o;
  }

  /** A person took the case (any action counts): the acknowledgement service level is met. */
  private async acknowledged(m: EntityManager, c: Claim, at: Date): Promise<Claim> {
    if (c.acknowledgedAt) return c;
    await this.timers.met(m, c.id, 'acknowledgement');
    return { ...c, acknowledgedAt: at };
  }

  async recordVerification(
    m: EntityManager,
    c: Claim,
    answer: { source: VerificationSource; outcome: VerificationOutcome; actorId: string },
  ): Promise<Claim> {
    this.assertOpen(c);
    const now = this.clock();
    const base = await this.acknowledged(m, c, now);
    await this.log.add(m, {
      claimId: c.id,
      kind: 'verification',
      at: now,
      actorId: answer.actorId,
      details: { source: answer.source, outcome: answer.outcome },
    });
    const cause = {
      cause: 'verification_recorded' as const,
      actorId: answer.actorId,
      causeEventId: null,
      at: now,
    };
    const moves: Array<{ command: ClaimCommand; changes?: Partial<Claim> }> = [];
    if (c.state === 'detected') moves.push({ command: 'verify' });
    if (answer.outcome === 'found')
      moves.push({ command: 'found', changes: { closeReason: 'parcel_found' } });
    // answers after verification (a neighbour calls back during the inquiry) are logged and published
    const { next, transitions } = steps(base, moves, cause);
    const recorded = moves.length === 0 ? touch(base, {}, now) : next;
    const events = [verificationRecordedEvent(recorded, answer.source, answer.outcome, answer.actorId, now)];
    if (recorded.closedAt) events.push(claimClosedEvent(recorded, 'parcel_found', now));
    await this.writer.change(m, c, recorded, transitions, events);
    if (recorded.closedAt) await this.closedSideEffects(m, recorded, now);
    return recorded;
  }

  async markServiceLevel(
    m: EntityManager,
    c: Claim,
    level: 'customer_explanation' | 'damage_assessment' | 'acknowledgement',
    actorId: string,
    details: Record<string, unknown>,
  ): Promise<Claim> {
    this.assertOpen(c);
    const now = this.clock();
    const base = await this.acknowledged(m, c, now);
    const field =
      level === 'customer_explanation'
        ? 'explainedAt'
        : level === 'damage_assessment'
          ? 'assessedAt'
          : 'acknowledgedAt';
    await this.timers.met(m, c.id, level);
    await this.log.add(m, {
      claimId: c.id,
      kind: level === 'acknowledgement' ? 'acknowledged' : level,
      at: now,
      actorId,
      details,
    });
    const next = touch(base, base[field] ? {} : { [field]: now }, now);
    await this.writer.change(m, c, next, [], []);
    return next;
  }

  /** Queues an inquiry with the carrier (sent by the CarrierWorker); the carrier's answer clock starts. */
  async requestInquiry(m: EntityManager, c: Claim, actorId: string | null): Promise<Claim> {
    this.assertCan(c, 'inquire');
    const now = this.clock();
    const base = actorId ? await this.acknowledged(m, c, now) : c;
    const channel = this.channelOf(c);
    const inquiryId = await this.requests.createInquiry(m, c.id, channel, now);
    await this.requests.enqueue(m, {
      claimId: c.id,
      kind: 'inquiry',
      channel,
      subjectId: inquiryId,
      at: now,
    });
    const { next, transitions } = steps(base, [{ command: 'inquire' }], {
      cause: 'inquiry_sent',
      actorId,
      causeEventId: null,
      at: now,
    });
    await this.writer.change(m, c, next, transitions, []);
    await this.timers.start(m, next, 'carrier_response', now);
    return next;
  }

  /** The worker delivered the inquiry: CarrierInquirySent (the state is already carrier_inquiry). */
  async inquirySent(
    m: EntityManager,
    c: Claim,
    inquiryId: string,
    channel: CarrierChannel,
    reference: string | null,
  ) {
    const now = this.clock();
    await this.requests.inquirySent(m, inquiryId, reference, now);
    await this.log.add(m, {
      claimId: c.id,
      kind: 'inquiry_sent',
      at: now,
      actorId: null,
      details: { inquiryId, channel, reference },
    });
    await this.writer.publish(m, c, [carrierInquirySentEvent(c, inquiryId, channel, reference ?? '', now)]);
  }

  /**
   * The carrier's answer (from its API, or recorded by staff for e-mail): located closes the claim
   * as found; anything else moves on to the customer's decision, whose window starts now.
   */
  async answerInquiry(
    m: EntityManager,
    c: Claim,
    inquiryId: string,
    outcome: InquiryOutcome,
    actorId: string | null,
    cause: TransitionCause = 'inquiry_answered',
  ): Promise<Claim> {
    if (c.state !== 'carrier_inquiry') throw actionNotAllowed(c.id, c.state, 'answer_inquiry');
    const now = this.clock();
    await this.requests.inquiryAnswered(m, inquiryId, outcome, now);
    await this.timers.met(m, c.id, 'carrier_response');
    await this.log.add(m, {
      claimId: c.id,
      kind: 'inquiry_answered',
      at: now,
      actorId,
      details: { inquiryId, outcome },
    });
    if (outcome === 'located') {
      const { next, transitions } = steps(
        c,
        [{ command: 'found', changes: { closeReason: 'parcel_found' } }],
        {
          cause,
          actorId,
          causeEventId: null,
          at: now,
        },
      );
      await this.writer.change(m, c, next, transitions, [
        carrierInquiryAnsweredEvent(next, inquiryId, outcome, now),
        claimClosedEvent(next, 'parcel_found', now),
      ]);
      await this.closedSideEffects(m, next, now);
      return next;
    }
    return this.awaitDecision(
      m,
      c,
      cause,
      actorId,
      [(n) => carrierInquiryAnsweredEvent(n, inquiryId, outcome, now)],
      now,
    );
  }

  /** Straight to the customer's decision (no carrier inquiry needed, e.g. damaged on arrival). */
  async requestDecision(m: EntityManager, c: Claim, actorId: string): Promise<Claim> {
    this.assertCan(c, 'await_decision');
    const now = this.clock();
    const base = await this.acknowledged(m, c, now);
    return this.awaitDecision(m, c, 'decision_recorded', actorId, [], now, base);
  }

  private async awaitDecision(
    m: EntityManager,
    before: Claim,
    cause: TransitionCause,
    actorId: string | null,
    events: Array<(next: Claim) => ReturnType<typeof claimClosedEvent>>,
    now: Date,
    base: Claim = before,
  ): Promise<Claim> {
    const dueAt = new Date(now.getTime() + before.serviceLevels.customerDecisionMinutes * 60_000);
    const { next, transitions } = steps(
      base,
      [{ command: 'await_decision', changes: { decisionDueAt: dueAt } }],
      {
        cause,
        actorId,
        causeEventId: null,
        at: now,
      },
    );
    await this.writer.change(
      m,
      before,
      next,
      transitions,
      events.map((e) => e(next)),
    );
    await this.timers.start(m, next, 'customer_decision', now);
    return next;
  }

  /**
   * The customer's choice, or the tenant's default when the window lapsed; then the claim is filed
   * with the carrier (queued: the worker assembles the evidence and files it).
   */
  async decide(
    m: EntityManager,
    c: Claim,
    decision: CustomerDecision,
    by: { actorId: string } | { defaulted: true },
    claimed: Money,
  ): Promise<Claim> {
    this.assertCan(c, 'file');
    if (c.decision) throw decisionAlreadyRecorded(c.id);
    const now = this.clock();
    const defaulted = 'defaulted' in by;
    const actorId = defaulted ? null : by.actorId;
    const base = actorId ? await this.acknowledged(m, c, now) : c;
    await this.timers.met(m, c.id, 'customer_decision');
    await this.log.add(m, {
      claimId: c.id,
      kind: 'decision',
      at: now,
      actorId,
      details: { decision, defaulted },
    });
    const decided = touch(base, { decision, decisionDefaulted: defaulted }, now);
    await this.writer.change(
      m,
      c,
      decided,
      [],
      [customerDecisionRecordedEvent(decided, decision, defaulted, actorId ?? '', now)],
    );
    const channel = this.channelOf(c);
    const filingId = await this.requests.createFiling(m, {
      claimId: c.id,
      channel,
      claimedCurrency: claimed.currencyCode,
      claimedMinor: claimed.amountMinor,
      at: now,
    });
    await this.requests.enqueue(m, { claimId: c.id, kind: 'filing', channel, subjectId: filingId, at: now });
    return decided;
  }

  /** The worker filed the claim with its evidence bundle: FILED, ClaimFiled; status polls follow. */
  async filed(
    m: EntityManager,
    c: Claim,
    f: {
      filingId: string;
      channel: CarrierChannel;
      claimed: Money;
      bundleId: string;
      manifestSha256: Buffer;
      reference: string | null;
    },
  ): Promise<Claim> {
    const now = this.clock();
    if (!isOpen(c) || c.state !== 'awaiting_customer_decision') return c; // closed while the worker was at it
    await this.requests.filingSent(m, f.filingId, {
      reference: f.reference,
      status: 'submitted',
      bundleId: f.bundleId,
      at: now,
    });
    await this.log.add(m, {
      claimId: c.id,
      kind: 'filing_sent',
      at: now,
      actorId: null,
      details: {
        filingId: f.filingId,
        channel: f.channel,
        reference: f.reference,
        evidenceBundleId: f.bundleId,
      },
    });
    const { next, transitions } = steps(c, [{ command: 'file' }], {
      cause: 'claim_filed',
      actorId: null,
      causeEventId: null,
      at: now,
    });
    await this.writer.change(m, c, next, transitions, [
      claimFiledEvent(
        next,
        {
          filingId: f.filingId,
          channel: f.channel,
          claimed: f.claimed,
          evidenceBundleId: f.bundleId,
          manifestSha256: f.manifestSha256,
          carrierReference: f.reference ?? '',
        },
        now,
      ),
    ]);
    if (f.channel === 'api') {
      await this.requests.enqueue(m, {
        claimId: c.id,
        kind: 'filing_status',
        channel: f.channel,
        subjectId: f.filingId,
        at: now,
        notBefore: new Date(now.getTime() + this.config.carrierStatusPollMs),
      });
    }
    return next;
  }

  /**
   * The carrier's status of a filed claim (API poll, or staff recording the answer to an e-mail):
   * in review -> IN_REVIEW; approved / partially approved / rejected -> RESOLVED then CLOSED
   * (archived, reason resolved); cancelled by the carrier -> CLOSED (cancelled).
   */
  async carrierStatus(
    m: EntityManager,
    c: Claim,
    filingId: string,
    reference: string,
    status: 'submitted' | 'in_review' | ClaimOutcome | 'cancelled',
    granted: Money | null,
    actorId: string | null,
  ): Promise<{ claim: Claim; final: boolean }> {
    const now = this.clock();
    if (!isOpen(c)) return { claim: c, final: true };
    await this.requests.filingStatus(m, filingId, status);
    const cause = { cause: 'carrier_decision' as const, actorId, causeEventId: null, at: now };
    if (status === 'submitted') return { claim: c, final: false };
    if (status === 'in_review') {
      if (c.state !== 'filed') return { claim: c, final: false };
      const { next, transitions } = steps(c, [{ command: 'start_review' }], {
        ...cause,
        cause: 'carrier_review',
      });
      await this.log.add(m, {
        claimId: c.id,
        kind: 'carrier_status',
        at: now,
        actorId,
        details: { filingId, status },
      });
      await this.writer.change(m, c, next, transitions, [
        claimUnderReviewEvent(next, filingId, reference, now),
      ]);
      return { claim: next, final: false };
    }
    await this.log.add(m, {
      claimId: c.id,
      kind: 'carrier_status',
      at: now,
      actorId,
      details: {
        filingId,
        status,
        ...(granted
          ? { granted: { currencyCode: granted.currencyCode, amountMinor: granted.amountMinor.toString() } }
          : {}),
      },
    });
    if (status === 'cancelled') {
      const { next, transitions } = steps(
        c,
        [{ command: 'cancel', changes: { closeReason: 'cancelled' } }],
        cause,
      );
      await this.writer.change(m, c, next, transitions, [claimClosedEvent(next, 'cancelled', now)]);
      await this.closedSideEffects(m, next, now);
      return { claim: next, final: true };
    }
    const amount =
      status === 'rejected' || !granted
        ? { currencyCode: granted?.currencyCode ?? 'CNY', amountMinor: 0n }
        : granted;
    if (!canTransition(c.state, 'resolve')) throw actionNotAllowed(c.id, c.state, 'resolve');
    const { next, transitions } = steps(
      c,
      [
        { command: 'resolve', changes: { outcome: status, granted: amount, resolvedAt: now } },
        { command: 'archive', changes: { closeReason: 'resolved' } },
      ],
      cause,
    );
    const resolved = { ...next, state: 'resolved' as const, closedAt: null };
    await this.writer.change(m, c, next, transitions, [
      claimResolvedEvent(resolved, status, amount, filingId, reference, now),
      claimClosedEvent(next, 'resolved', now),
    ]);
    this.metrics.carrierDecision(next, status);
    await this.closedSideEffects(m, next, now);
    return { claim: next, final: true };
  }

  /** Found, withdrawn, cancelled or settled without filing, by staff or by a tracking event. */
  async close(
    m: EntityManager,
    c: Claim,
    reason: Exclude<CloseReason, 'resolved'>,
    actorId: string | null,
    cause: TransitionCause,
    causeEventId: string | null = null,
  ): Promise<Claim> {
    const command: ClaimCommand =
      reason === 'parcel_found'
        ? 'found'
        : reason === 'withdrawn'
          ? 'withdraw'
          : reason === 'cancelled'
            ? 'cancel'
            : 'settle';
    this.assertCan(c, command);
    const now = this.clock();
    const { next, transitions } = steps(c, [{ command, changes: { closeReason: reason } }], {
      cause,
      actorId,
      causeEventId,
      at: now,
    });
    await this.writer.change(m, c, next, transitions, [claimClosedEvent(next, reason, now)]);
    await this.closedSideEffects(m, next, now);
    return next;
  }

  /**
   * A service level's timer fired and it was not met: ServiceLevelBreached, and the level's own
   * consequence — no carrier answer means NO_RESPONSE and on to the decision; a lapsed decision
   * window applies the tenant's default decision.
   */
  async breach(
    m: EntityManager,
    c: Claim,
    level: ServiceLevelName,
    dueAt: Date,
    targetMinutes: number,
    claimed: () => Promise<Money>,
  ): Promise<'breached' | 'moot'> {
    if (!isOpen(c) || !this.stillDue(c, level)) return 'moot';
    const now = this.clock();
    await this.log.add(m, {
      claimId: c.id,
      kind: 'service_level_breached',
      at: now,
      actorId: null,
      details: { level, dueAt: dueAt.toISOString() },
    });
    await this.writer.publish(m, c, [serviceLevelBreachedEvent(c, level, dueAt, targetMinutes, now)]);
    this.metrics.slaBreached(level);
    if (level === 'carrier_response') {
      const inquiry = await this.requests.openInquiryOf(m, c.id);
      if (inquiry) await this.answerInquiry(m, c, inquiry.id, 'no_response', null, 'inquiry_timed_out');
    } else if (level === 'customer_decision') {
      await this.decide(m, c, c.defaultDecision, { defaulted: true }, await claimed());
    }
    return 'breached';
  }

  private stillDue(c: Claim, level: ServiceLevelName): boolean {
    switch (level) {
      case 'acknowledgement':
        return !c.acknowledgedAt;
      case 'customer_explanation':
        return !c.explainedAt;
      case 'damage_assessment':
        return !c.assessedAt;
      case 'customer_decision':
        return c.state === 'awaiting_customer_decision' && !c.decision;
      case 'carrier_response':
        return c.state === 'carrier_inquiry';
    }
  }

  private async closedSideEffects(m: EntityManager, c: Claim, at: Date): Promise<void> {
    await this.timers.closed(m, c.id);
    await this.requests.cancelForClaim(m, c.id, at);
  }

  private channelOf(c: Claim): CarrierChannel {
    return channelFor(this.config.carrierChannels, c.parcel.carrierCode)?.channel ?? 'email';
  }

  private assertOpen(c: Claim): void {
    if (!isOpen(c)) throw claimClosed(c.id);
  }

  private assertCan(c: Claim, command: ClaimCommand): void {
    this.assertOpen(c);
    if (!canTransition(c.state, command)) throw actionNotAllowed(c.id, c.state, command);
  }
}
