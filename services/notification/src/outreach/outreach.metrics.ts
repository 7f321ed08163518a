import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import type { AddressRule } from '../directory/address-match';
import type { DismissReason } from '../front-desk/front-desk-access';
import type { ResolutionMethod } from '../parcels/parcel-projection';
import type { EscalationLevel, EscalationReason } from './escalation';
import type { TaskKind } from './outreach-task';
import type { TaskActionKind } from './task-actions.repository';

/** Outreach counters on the service's registry. Labels are closed enums: never ids or personal data. */
@Injectable()
export class OutreachMetrics {
  private readonly tasksCreated: Counter<'kind'>;
  private readonly resolutions: Counter<'method' | 'address_rule'>;
  private readonly acknowledgement: Histogram<'kind'>;
  private readonly escalations: Counter<'level' | 'reason'>;
  private readonly actions: Counter<'action'>;
  private readonly reads: Counter<'api' | 'outcome'>;
  private readonly dismissals: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.tasksCreated = new Counter({
      name: 'portico_outreach_tasks_created_total',
      help: 'Outreach tasks created for stewards, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    });
    this.resolutions = new Counter({
      name: 'portico_parcel_resolution_total',
      help: 'Parcels matched to a resident (or queued for the front desk), by method and the address rule that matched the property (exact, alias, none)',
      labelNames: ['method', 'address_rule'] as const,
      registers: [registry],
    });
    this.acknowledgement = new Histogram({
      name: 'portico_outreach_acknowledgement_seconds',
      help: 'Time from task creation to its acknowledgement (steward effort), by kind',
      labelNames: ['kind'] as const,
      buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400],
      registers: [registry],
    });
    this.escalations = new Counter({
      name: 'portico_outreach_escalations_total',
      help: 'Outreach tasks moved up the ladder, by the level reached and the reason',
      labelNames: ['level', 'reason'] as const,
      registers: [registry],
    });
    this.actions = new Counter({
      name: 'portico_outreach_actions_total',
      help: 'Steward actions on outreach tasks, by action',
      labelNames: ['action'] as const,
      registers: [registry],
    });
    this.reads = new Counter({
      name: 'portico_outreach_reads_total',
      help: 'Steward read API calls (messages, task_messages, search) by whether anything was found',
      labelNames: ['api', 'outcome'] as const,
      registers: [registry],
    });
    this.dismissals = new Counter({
      name: 'portico_front_desk_dismissals_total',
      help: 'Front-desk queue entries dismissed without a resident, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
  }

  frontDeskDismissed(reason: DismissReason): void {
    this.dismissals.inc({ reason });
  }

  acknowledged(kind: TaskKind, seconds: number): void {
    this.acknowledgement.observe({ kind }, seconds);
  }

  escalated(level: EscalationLevel, reason: EscalationReason): void {
    this.escalations.inc({ level, reason });
  }

  read(api: 'messages' | 'task_messages' | 'search', found: number): void {
    this.reads.inc({ api, outcome: found > 0 ? 'found' : 'empty' });
  }

  action(action: TaskActionKind): void {
    this.actions.inc({ action });
  }

  taskCreated(kind: TaskKind): void {
    this.tasksCreated.inc({ kind });
  }

  parcelResolved(method: ResolutionMethod | 'unmatched', addressRule: AddressRule | null): void {
    this.resolutions.inc({ method, address_rule: addressRule ?? 'none' });
  }
}
