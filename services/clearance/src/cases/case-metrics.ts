import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { stewardMinutes } from '../review/review-figures';
import { HOLD_REASONS, type CloseOutcome, type DocumentsChannel, type HoldReason } from './case';

const OUTCOMES: readonly CloseOutcome[] = ['cleared', 'returned_to_sender', 'expired'];

/**
 * Case counters on the service's registry. Labels are closed sets (hold reason, outcome): never a
 * case, parcel or tenant id (cardinality), never anything about the recipient.
 */
@Injectable()
export class CaseMetrics {
  private readonly opened: Counter<'hold_reason'>;
  private readonly closed: Counter<'outcome'>;
  private readonly reminders: Counter<'expedited'>;
  private readonly ackBreaches: Counter<'expedited'>;
  private readonly holdToClearance: Histogram;
  private readonly stewardEffort: Histogram<'outcome'>;
  private readonly documentsIn: Counter<'channel'>;
  private readonly firstRounds: Counter<'outcome'>;
  private readonly escalations: Counter;
  private readonly deadlinesMissed: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.opened = new Counter({
      name: 'portico_clearance_cases_opened_total',
      help: 'Clearance cases opened, by why customs holds the parcel',
      labelNames: ['hold_reason'] as const,
      registers: [registry],
    });
    this.closed = new Counter({
      name: 'portico_clearance_cases_closed_total',
      help: 'Clearance cases closed, by how they ended',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.reminders = new Counter({
      name: 'portico_clearance_reminders_due_total',
      help: 'Resident reminders emitted before a case deadline',
      labelNames: ['expedited'] as const,
      registers: [registry],
    });
    this.ackBreaches = new Counter({
      name: 'portico_clearance_steward_ack_sla_breaches_total',
      help: 'Documents requests no steward acknowledged within the SLA',
      labelNames: ['expedited'] as const,
      registers: [registry],
    });
    // The monthly review's figures, platform-wide (per property they come from GET
    // /v1/reviews/monthly: a property label would grow with every customer).
    this.holdToClearance = new Histogram({
      name: 'portico_clearance_time_to_clear_seconds',
      help: 'From the customs hold (its occurred_at) to the case clearing',
      buckets: [3_600, 4 * 3_600, 12 * 3_600, 24 * 3_600, 48 * 3_600, 72 * 3_600, 7 * 86_400, 14 * 86_400],
      registers: [registry],
    });
    this.stewardEffort = new Histogram({
      name: 'portico_clearance_steward_minutes',
      help: 'Estimated steward minutes per closed case (sittings of actions, see review-figures.ts)',
      labelNames: ['outcome'] as const,
      buckets: [2, 5, 10, 15, 30, 60, 120],
      registers: [registry],
    });
    this.documentsIn = new Counter({
      name: 'portico_clearance_documents_received_total',
      help: 'Document rounds completed, by how the documents came (secure upload or steward-assisted)',
      labelNames: ['channel'] as const,
      registers: [registry],
    });
    this.firstRounds = new Counter({
      name: 'portico_clearance_first_rounds_total',
      help: 'First document rounds by verdict: accepted (relayed to the carrier) or rejected',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.deadlinesMissed = new Counter({
      name: 'portico_clearance_deadlines_missed_total',
      help: 'Cases whose deadline passed before clearance (expired)',
      registers: [registry],
    });
    this.escalations = new Counter({
      name: 'portico_clearance_escalations_total',
      help: 'Escalations of outreach tasks serving a clearance case',
      registers: [registry],
    });
    // Every series exists from the start, so rate() and ratios work before the first case.
    for (const hold_reason of HOLD_REASONS) this.opened.inc({ hold_reason }, 0);
    for (const outcome of OUTCOMES) this.closed.inc({ outcome }, 0);
    for (const channel of ['secure_upload', 'steward_assisted']) this.documentsIn.inc({ channel }, 0);
    for (const outcome of ['accepted', 'rejected']) this.firstRounds.inc({ outcome }, 0);
    for (const expedited of ['true', 'false']) {
      this.reminders.inc({ expedited }, 0);
      this.ackBreaches.inc({ expedited }, 0);
    }
  }

  caseOpened(holdReason: HoldReason): void {
    this.opened.inc({ hold_reason: holdReason });
  }

  caseClosed(outcome: CloseOutcome): void {
    this.closed.inc({ outcome });
  }

  reminderDue(expedited: boolean): void {
    this.reminders.inc({ expedited: String(expedited) });
  }

  ackSlaBreached(expedited: boolean): void {
    this.ackBreaches.inc({ expedited: String(expedited) });
  }

  /** A case closed: its hold-to-clearance time (when cleared) and the steward effort it took. */
  caseEnded(
    outcome: CloseOutcome,
    holdOccurredAt: Date,
    closedAt: Date,
    stewardActionTimes: readonly Date[],
  ): void {
    this.caseClosed(outcome);
    if (outcome === 'expired') this.deadlinesMissed.inc();
    if (outcome === 'cleared') {
      this.holdToClearance.observe(Math.max(0, (closedAt.getTime() - holdOccurredAt.getTime()) / 1_000));
    }
    if (stewardActionTimes.length > 0)
      this.stewardEffort.observe({ outcome }, stewardMinutes(stewardActionTimes));
  }

  documentsReceived(channel: DocumentsChannel): void {
    this.documentsIn.inc({ channel });
  }

  firstRound(outcome: 'accepted' | 'rejected'): void {
    this.firstRounds.inc({ outcome });
  }

  escalated(): void {
    this.escalations.inc();
  }
}
