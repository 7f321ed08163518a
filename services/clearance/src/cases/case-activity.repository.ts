import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What a person did on a case: the steward-effort and escalation metrics are computed from these. */
export type ActivityKind =
  | 'task_acknowledged'
  | 'task_reassigned'
  | 'resident_contacted'
  | 'escalated'
  | 'document_reviewed'
  | 'ack_sla_breached'
  | 'front_desk_reported';

export interface CaseActivity {
  readonly caseId: string;
  readonly kind: ActivityKind;
  /** User id (never a name), or null for the platform. */
  readonly actorId: string | null;
  readonly sourceEventId: string;
  readonly at: Date;
}

/** `clearance_case_activity`, idempotent per (case, source event, kind). */
@Injectable()
export class CaseActivityRepository {
  async record(m: EntityManager, a: CaseActivity): Promise<void> {
    await m.query(
      `INSERT INTO clearance_case_activity (case_id, kind, actor_id, source_event_id, at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [a.caseId, a.kind, a.actorId || null, a.sourceEventId, a.at],
    );
  }
}
