import { Inject, Injectable } from '@nestjs/common';
import type { ClearanceCaseEvent } from '@portico/contracts';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { CaseTimers } from '../deadlines/case-timers';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import {
  holdKeyOf,
  isOpen,
  type CaseOrigin,
  type CaseTransition,
  type ClearanceCase,
  type CloseOutcome,
  type HoldReason,
  type NameDigest,
  type ParcelIdentity,
  type TransitionCause,
} from './case';
import {
  caseClearedEvent,
  caseOpenedEvent,
  caseReturnedToSenderEvent,
  documentsRequestedEvent,
} from './case-events';
import { CaseClosing } from './case-closing';
import { CaseMetrics } from './case-metrics';
import { canTransition, transition, type CaseCommand, type CaseState } from './case-state';
import { step } from './case-step';
import { CaseWriter } from './case-writer';
import { CaseRepository } from './case.repository';
import { PolicyRepository } from './policy.repository';
import { FALLBACK_POLICY, requirementsFor, selectPolicy, type ShipmentFacts } from './requirement-policy';
import type { TrackingUpdate } from './tracking-update';

export { ConcurrentCaseUpdateError } from './case-writer';

export const CASE_ID_PREFIX = 'cc';

/** Why a tracking event changed nothing. */
export type IgnoredReason =
  /** Not a status clearance acts on (in transit, pickup, most exceptions …). */
  | 'irrelevant'
  /** The parcel already has an open case for this hold reason (repeated scan, re-published event). */
  | 'hold_already_open'
  /** carrier-ingestion had already seen a newer update of the parcel: the parcel has moved on. */
  | 'late_hold'
  /** The hold happened before a case of the parcel was closed: it belongs to that earlier episode. */
  | 'stale_hold'
  /** Another transaction opened the same hold first (the unique index decided). */
  | 'duplicate'
  /** A release or return for a parcel without an open case. */
  | 'no_open_case'
  /** A release or return older than the newest event already applied to the open case(s). */
  | 'stale_event'
  /** The state machine refuses the move from the case's state. */
  | 'transition_not_allowed';

export type TrackingOutcome =
  | { readonly kind: 'opened'; readonly caseIds: readonly [string]; readonly state: CaseState }
  | { readonly kind: 'closed'; readonly caseIds: readonly string[]; readonly outcome: CloseOutcome }
  | { readonly kind: 'ignored'; readonly reason: IgnoredReason; readonly caseIds: readonly string[] };

/** A hold to open a case for, from a tracking event or a front-desk report. */
export interface HoldNotice {
  /** The tracking event's `event-id`, or the report id: the cause recorded in the history. */
  readonly causeId: string;
  readonly origin: CaseOrigin;
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly reason: HoldReason;
  readonly carrierDeadline?: Date;
  /** When customs put the hold on, as far as the source knows. */
  readonly occurredAt: Date;
  readonly late: boolean;
  readonly shipment: ShipmentFacts;
  readonly recipientNameDigest: NameDigest | null;
}

interface Closing {
  readonly command: Extract<CaseCommand, 'clear' | 'return_to_sender'>;
  readonly cause: TransitionCause;
  readonly outcome: CloseOutcome;
  readonly event: (c: ClearanceCase, u: TrackingUpdate) => ClearanceCaseEvent;
}

/**
 * Opens and closes clearance cases from tracking events. Every write (case rows, history, outbox)
 * goes through the transaction it is handed, which for events also holds the consumer's inbox row:
 * the case change and its events commit exactly once, together.
 *
 * Out-of-order safety rests on event time, not arrival order: each case remembers the occurred_at
 * of the newest event applied to it (`lastEventAt`), and nothing older changes it; a hold older than
 * the close of an earlier case, or flagged `late` by carrier-ingestion, opens nothing.
 */
@Injectable()
export class CaseLifecycleService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyRepository,
    private readonly writer: CaseWriter,
    private readonly timers: CaseTimers,
    private readonly closing: CaseClosing,
    private readonly metrics: CaseMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('clearance-cases') private readonly logger: PinoLogger,
  ) {}

  async applyTrackingUpdate(m: EntityManager, update: TrackingUpdate): Promise<TrackingOutcome> {
    const { signal } = update;
    switch (signal.kind) {
      case 'hold':
        return this.openForHold(m, {
          causeId: update.eventId,
          origin: 'tracking_event',
          tenantId: update.tenantId,
          parcel: update.parcel,
          reason: signal.reason,
          ...(signal.carrierDeadline ? { carrierDeadline: signal.carrierDeadline } : {}),
          occurredAt: update.occurredAt,
          late: update.late,
          shipment: update.shipment,
          recipientNameDigest: update.recipientNameDigest,
        });
      case 'released':
        return this.closeOpenCases(m, update, {
          command: 'clear',
          cause: signal.trigger,
          outcome: 'cleared',
          event: (c, u) => caseClearedEvent(c, signal.trigger, u.eventId, u.occurredAt),
        });
      case 'returned_to_sender':
        return this.closeOpenCases(m, update, {
          command: 'return_to_sender',
          cause: 'returned_to_sender',
          outcome: 'returned_to_sender',
          event: (c, u) => caseReturnedToSenderEvent(c, u.eventId, u.occurredAt),
        });
      case 'irrelevant':
        return ignored('irrelevant');
    }
  }

  /**
   * Opens the case for a hold unless the parcel already has one open for that reason (then the
   * open case's id comes back with `hold_already_open`, which is what a front-desk report that
   * arrives after the carrier's event wants to know).
   */
  async openForHold(m: EntityManager, hold: HoldNotice): Promise<TrackingOutcome> {
    const existing = await this.cases.casesOfParcel(m, hold.tenantId, hold.parcel.parcelId, { lock: true });
    const open = existing.find((c) => isOpen(c) && c.holdReason === hold.reason);
    if (open) {
      // Same hold seen again. A newer scan moves the case's event mark, so a release scanned
      // between the two holds and delivered late cannot clear a parcel customs still holds.
      if (hold.occurredAt > open.lastEventAt) await this.cases.markNewerEvent(m, open.id, hold.occurredAt);
      return ignored('hold_already_open', [open.id]);
    }
    if (hold.late) return ignored('late_hold');
    const lastClose = latest(existing.filter((c) => !isOpen(c)).map((c) => c.lastEventAt));
    if (lastClose && hold.occurredAt <= lastClose) return ignored('stale_hold');

    const now = this.clock();
    const policy =
      selectPolicy(await this.policies.activePolicies(m, hold.tenantId), {
        tenantId: hold.tenantId,
        ...hold.shipment,
      }) ?? FALLBACK_POLICY;
    if (policy === FALLBACK_POLICY) {
      this.logger.warn(
        { parcelId: hold.parcel.parcelId, tenantId: hold.tenantId },
        'no requirement policy matches',
      );
    }
    const required = requirementsFor(
      {
        reason: hold.reason,
        occurredAt: hold.occurredAt,
        ...(hold.carrierDeadline ? { carrierDeadline: hold.carrierDeadline } : {}),
      },
      hold.shipment,
      policy,
      now,
    );

    const caseId = this.newId(CASE_ID_PREFIX);
    const cause: TransitionCause = hold.origin === 'front_desk_report' ? 'front_desk_report' : 'customs_hold';
    const record = (from: CaseState | null, to: CaseState): CaseTransition => ({
      caseId,
      from,
      to,
      at: now,
      cause,
      causeEventId: hold.causeId,
    });
    const transitions = [record(null, 'opened')];
    let state: CaseState = 'opened';
    // Holds that need no documents (inspection) stay opened: there is nothing to ask the resident.
    if (required.documents.length > 0) {
      const next = transition(state, 'request_documents');
      transitions.push(record(state, next));
      state = next;
    }
    const requested = state === 'awaiting_documents';
    const timed = {
      id: caseId,
      deadline: required.deadline,
      expedited: required.expedited,
      timerRules: policy.timers ?? this.timers.defaults,
    };
    const opened: ClearanceCase = {
      id: caseId,
      tenantId: hold.tenantId,
      parcel: hold.parcel,
      holdReason: hold.reason,
      holdKey: holdKeyOf(hold.reason, existing.filter((c) => c.holdReason === hold.reason).length + 1),
      state,
      requiredDocuments: required.documents,
      documentsRound: requested ? 1 : 0,
      deadline: required.deadline,
      deadlineSource: required.deadlineSource,
      expedited: required.expedited,
      expediteReasons: required.expediteReasons,
      origin: hold.origin,
      policyId: required.policyId,
      triggerEventId: hold.causeId,
      recipientNameDigest: hold.recipientNameDigest,
      holdOccurredAt: hold.occurredAt,
      lastEventAt: hold.occurredAt,
      openedAt: now,
      updatedAt: now,
      closedAt: null,
      version: 1,
      propertyId: null,
      ackDueAt: requested ? this.timers.ackDueAt(timed, now) : null,
      acknowledgedAt: null,
      ackSlaBreachedAt: null,
      documentsReceivedAt: null,
      documentsChannel: null,
      timerRules: timed.timerRules,
    };
    if (!(await this.cases.insert(m, opened, transitions))) return ignored('duplicate');
    const events: ClearanceCaseEvent[] = [caseOpenedEvent(opened)];
    if (requested) {
      events.push(documentsRequestedEvent(opened, 1, now));
      await this.timers.documentsRequested(m, timed, 1, now);
    }
    await this.writer.publish(m, opened, events);

    this.metrics.caseOpened(opened.holdReason);
    for (const t of transitions) this.writer.logTransition(opened, t);
    return { kind: 'opened', caseIds: [opened.id], state };
  }

  private async closeOpenCases(
    m: EntityManager,
    u: TrackingUpdate,
    closing: Closing,
  ): Promise<TrackingOutcome> {
    const open = (await this.cases.casesOfParcel(m, u.tenantId, u.parcel.parcelId, { lock: true })).filter(
      isOpen,
    );
    if (open.length === 0) return ignored('no_open_case');

    const now = this.clock();
    const closed: string[] = [];
    let skipped: IgnoredReason = 'stale_event';
    for (const c of open) {
      // Older than what the case has already seen (e.g. a release from before a re-hold): no regress.
      if (u.occurredAt < c.lastEventAt) continue;
      if (!canTransition(c.state, closing.command)) {
        skipped = 'transition_not_allowed';
        continue;
      }
      const { next, transition: t } = step(c, closing.command, closing.cause, u.eventId, now, {
        lastEventAt: u.occurredAt,
      });
      await this.writer.change(m, c, next, [t], [closing.event(next, u)]);
      await this.closing.closed(m, next, closing.outcome, now);
      closed.push(c.id);
    }
    if (closed.length === 0)
      return ignored(
        skipped,
        open.map((c) => c.id),
      );
    return { kind: 'closed', caseIds: closed, outcome: closing.outcome };
  }
}

function ignored(reason: IgnoredReason, caseIds: readonly string[] = []): TrackingOutcome {
  return { kind: 'ignored', reason, caseIds };
}

function latest(dates: readonly Date[]): Date | undefined {
  return dates.reduce<Date | undefined>((max, d) => (!max || d > max ? d : max), undefined);
}
