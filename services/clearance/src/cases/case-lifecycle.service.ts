import { Inject, Injectable } from '@nestjs/common';
import { CLEARANCE_CASE_TOPIC, ClearanceCaseEventSchema, type ClearanceCaseEvent } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { CLOCK, ID_GENERATOR, type Clock, type IdGenerator } from '../shared/tokens';
import {
  holdKeyOf,
  isOpen,
  type CaseTransition,
  type ClearanceCase,
  type CloseOutcome,
  type TransitionCause,
} from './case';
import {
  caseClearedEvent,
  caseOpenedEvent,
  caseReturnedToSenderEvent,
  documentsRequestedEvent,
} from './case-events';
import { CaseMetrics } from './case-metrics';
import { canTransition, isTerminal, transition, type CaseCommand, type CaseState } from './case-state';
import { CaseRepository } from './case.repository';
import { PolicyRepository } from './policy.repository';
import { FALLBACK_POLICY, requirementsFor, selectPolicy } from './requirement-policy';
import type { TrackingSignal, TrackingUpdate } from './tracking-update';

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

/** Closing an open case thrown off by a concurrent change: the transport retries the event. */
export class ConcurrentCaseUpdateError extends Error {
  constructor(readonly caseId: string) {
    super(`clearance case ${caseId} changed while it was being updated; the event will be retried`);
    this.name = 'ConcurrentCaseUpdateError';
  }
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
    private readonly outbox: OutboxWriter,
    private readonly metrics: CaseMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @InjectPinoLogger('clearance-cases') private readonly logger: PinoLogger,
  ) {}

  async applyTrackingUpdate(m: EntityManager, update: TrackingUpdate): Promise<TrackingOutcome> {
    const { signal } = update;
    switch (signal.kind) {
      case 'hold':
        return this.openForHold(m, update, signal);
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

  private async openForHold(
    m: EntityManager,
    u: TrackingUpdate,
    hold: Extract<TrackingSignal, { kind: 'hold' }>,
  ): Promise<TrackingOutcome> {
    const existing = await this.cases.casesOfParcel(m, u.tenantId, u.parcel.parcelId, { lock: true });
    const open = existing.find((c) => isOpen(c) && c.holdReason === hold.reason);
    if (open) {
      // Same hold seen again. A newer scan moves the case's event mark, so a release scanned
      // between the two holds and delivered late cannot clear a parcel customs still holds.
      if (u.occurredAt > open.lastEventAt) await this.cases.markNewerEvent(m, open.id, u.occurredAt);
      return ignored('hold_already_open', [open.id]);
    }
    if (u.late) return ignored('late_hold');
    const lastClose = latest(existing.filter((c) => !isOpen(c)).map((c) => c.lastEventAt));
    if (lastClose && u.occurredAt <= lastClose) return ignored('stale_hold');

    const now = this.clock();
    const policy =
      selectPolicy(await this.policies.activePolicies(m, u.tenantId), {
        tenantId: u.tenantId,
        ...u.shipment,
      }) ?? FALLBACK_POLICY;
    if (policy === FALLBACK_POLICY) {
      this.logger.warn(
        { parcelId: u.parcel.parcelId, tenantId: u.tenantId },
        'no requirement policy matches',
      );
    }
    const required = requirementsFor(
      { reason: hold.reason, occurredAt: u.occurredAt, carrierDeadline: hold.carrierDeadline },
      u.shipment,
      policy,
      now,
    );

    const caseId = this.newId(CASE_ID_PREFIX);
    const step = (from: CaseState | null, to: CaseState): CaseTransition => ({
      caseId,
      from,
      to,
      at: now,
      cause: 'customs_hold',
      causeEventId: u.eventId,
    });
    const transitions = [step(null, 'opened')];
    let state: CaseState = 'opened';
    // Holds that need no documents (inspection) stay opened: there is nothing to ask the resident.
    if (required.documents.length > 0) {
      const next = transition(state, 'request_documents');
      transitions.push(step(state, next));
      state = next;
    }
    const opened: ClearanceCase = {
      id: caseId,
      tenantId: u.tenantId,
      parcel: u.parcel,
      holdReason: hold.reason,
      holdKey: holdKeyOf(hold.reason, existing.filter((c) => c.holdReason === hold.reason).length + 1),
      state,
      requiredDocuments: required.documents,
      documentsRound: state === 'awaiting_documents' ? 1 : 0,
      deadline: required.deadline,
      deadlineSource: required.deadlineSource,
      expedited: required.expedited,
      expediteReasons: required.expediteReasons,
      origin: 'tracking_event',
      policyId: required.policyId,
      triggerEventId: u.eventId,
      recipientNameDigest: u.recipientNameDigest,
      holdOccurredAt: u.occurredAt,
      lastEventAt: u.occurredAt,
      openedAt: now,
      updatedAt: now,
      closedAt: null,
      version: 1,
    };
    if (!(await this.cases.insert(m, opened))) return ignored('duplicate');
    await this.cases.addTransitions(m, transitions);
    const events = [caseOpenedEvent(opened)];
    if (opened.documentsRound === 1) events.push(documentsRequestedEvent(opened, 1, now));
    await this.publish(m, opened, events);

    this.metrics.caseOpened(opened.holdReason);
    for (const t of transitions) this.logTransition(opened, t);
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
    const closed: Array<{ next: ClearanceCase; transition: CaseTransition }> = [];
    let skipped: IgnoredReason = 'stale_event';
    for (const c of open) {
      // Older than what the case has already seen (e.g. a release from before a re-hold): no regress.
      if (u.occurredAt < c.lastEventAt) continue;
      if (!canTransition(c.state, closing.command)) {
        skipped = 'transition_not_allowed';
        continue;
      }
      const to = transition(c.state, closing.command);
      const next: ClearanceCase = {
        ...c,
        state: to,
        lastEventAt: u.occurredAt,
        updatedAt: now,
        closedAt: isTerminal(to) ? now : null,
        version: c.version + 1,
      };
      if (!(await this.cases.saveTransition(m, next, c.version))) throw new ConcurrentCaseUpdateError(c.id);
      closed.push({
        next,
        transition: {
          caseId: c.id,
          from: c.state,
          to,
          at: now,
          cause: closing.cause,
          causeEventId: u.eventId,
        },
      });
    }
    if (closed.length === 0)
      return ignored(
        skipped,
        open.map((c) => c.id),
      );

    await this.cases.addTransitions(
      m,
      closed.map((x) => x.transition),
    );
    await this.outbox.appendMany(
      m,
      closed.map(({ next }) => this.outboxEvent(next, closing.event(next, u))),
    );
    for (const { next, transition: t } of closed) {
      this.metrics.caseClosed(closing.outcome);
      this.logTransition(next, t);
    }
    return { kind: 'closed', caseIds: closed.map((x) => x.next.id), outcome: closing.outcome };
  }

  private publish(
    m: EntityManager,
    c: ClearanceCase,
    events: readonly ClearanceCaseEvent[],
  ): Promise<unknown> {
    return this.outbox.appendMany(
      m,
      events.map((e) => this.outboxEvent(c, e)),
    );
  }

  /** Keyed by the parcel id, like every Portico topic: one consumer sees a parcel's events in order. */
  private outboxEvent(c: ClearanceCase, message: ClearanceCaseEvent) {
    return {
      topic: CLEARANCE_CASE_TOPIC.name,
      key: c.parcel.parcelId,
      tenantId: c.tenantId,
      schema: ClearanceCaseEventSchema,
      message,
    };
  }

  /** Ids and states only: a transition line must be safe to ship to any log store. */
  private logTransition(c: ClearanceCase, t: CaseTransition): void {
    this.logger.info(
      {
        caseId: c.id,
        parcelId: c.parcel.parcelId,
        tenantId: c.tenantId,
        from: t.from,
        to: t.to,
        cause: t.cause,
        causeEventId: t.causeEventId,
      },
      `case ${t.from ?? 'created'} -> ${t.to}`,
    );
  }
}

function ignored(reason: IgnoredReason, caseIds: readonly string[] = []): TrackingOutcome {
  return { kind: 'ignored', reason, caseIds };
}

function latest(dates: readonly Date[]): Date | undefined {
  return dates.reduce<Date | undefined>((max, d) => (!max || d > max ? d : max), undefined);
}
