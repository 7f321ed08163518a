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

/** What a steward does on a case (the other kinds are the platform's or a manager's). */
export const STEWARD_ACTIONS: readonly ActivityKind[] = [
  'task_acknowledged',
  'resident_contacted',
  'document_reviewed',
  'front_desk_reported',
  'task_reassigned',
];

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

  /** When a steward acted on the case, oldest first (the steward-effort estimate's input). */
  async stewardActionTimes(m: EntityManager, caseId: string): Promise<Date[]> {
    const rows = await m.query<Array<{ at: Date }>>(
      `SELECT at FROM clearance_case_activity WHERE case_id = $1 AND kind = ANY($2::text[]) ORDER BY at`,
      [caseId, STEWARD_ACTIONS],
    );
    return rows.map((r) => r.at);
  }
}
