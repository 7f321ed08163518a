import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';
import { HOLD_REASONS, type CloseOutcome, type HoldReason } from './case';

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
    // Every series exists from the start, so rate() and ratios work before the first case.
    for (const hold_reason of HOLD_REASONS) this.opened.inc({ hold_reason }, 0);
    for (const outcome of OUTCOMES) this.closed.inc({ outcome }, 0);
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
}
