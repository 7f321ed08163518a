import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { STEWARD_ACTIONS } from '../cases/case-activity.repository';
import type { ReviewCase } from './review-figures';

interface ReviewRow {
  property_id: string | null;
  state: string;
  hold_occurred_at: Date;
  closed_at: Date | null;
  steward_action_times: Date[] | null;
  escalations: number;
  ack_sla_breached: boolean;
  had_documents: boolean;
  rejected_once: boolean;
  documents_secure: number;
  documents_total: number;
}

export interface ReviewScope {
  readonly tenantId: string;
  /** null: every property of the tenant (and cases not resolved to one yet, as property null). */
  readonly propertyId: string | null;
  /** First day of the month, `YYYY-MM-01`. */
  readonly month: string;
  /** IANA zone the month is counted in (a property's local month, not UTC's). */
  readonly timeZone: string;
}

/** The review's one query: the cases opened in the month, with what the figures need from each. */
@Injectable()
export class ReviewRepository {
  async casesOfMonth(
    m: EntityManager,
    scope: ReviewScope,
  ): Promise<Array<ReviewCase & { propertyId: string | null }>> {
    const rows = await m.query<ReviewRow[]>(
      `SELECT c.property_id, c.state, c.hold_occurred_at, c.closed_at,
              (SELECT array_agg(a.at ORDER BY a.at) FROM clearance_case_activity a
                WHERE a.case_id = c.id AND a.kind = ANY($5::text[])) AS steward_action_times,
              (SELECT count(*)::int FROM clearance_case_activity a
                WHERE a.case_id = c.id AND a.kind = 'escalated') AS escalations,
              EXISTS (SELECT 1 FROM clearance_case_activity a
                WHERE a.case_id = c.id AND a.kind = 'ack_sla_breached') AS ack_sla_breached,
              EXISTS (SELECT 1 FROM clearance_case_transitions t
                WHERE t.case_id = c.id AND t.to_state = 'documents_received') AS had_documents,
              EXISTS (SELECT 1 FROM clearance_case_transitions t
                WHERE t.case_id = c.id AND t.to_state = 'rejected') AS rejected_once,
              (SELECT count(*)::int FROM clearance_case_documents d
                WHERE d.case_id = c.id AND d.channel = 'secure_upload') AS documents_secure,
              (SELECT count(*)::int FROM clearance_case_documents d WHERE d.case_id = c.id) AS documents_total
         FROM clearance_cases c
        WHERE c.tenant_id = $1
          AND ($2::text IS NULL OR c.property_id = $2)
          AND c.opened_at >= ($3::timestamp AT TIME ZONE $4)
          AND c.opened_at < (($3::timestamp + interval '1 month') AT TIME ZONE $4)`,
      [scope.tenantId, scope.propertyId, scope.month, scope.timeZone, STEWARD_ACTIONS],
    );
    return rows.map((r) => ({
      propertyId: r.property_id,
      state: r.state,
      holdOccurredAt: r.hold_occurred_at,
      closedAt: r.closed_at,
      stewardActionTimes: r.steward_action_times ?? [],
      escalations: r.escalations,
      ackSlaBreached: r.ack_sla_breached,
      hadDocuments: r.had_documents,
      rejectedOnce: r.rejected_once,
      documentsSecure: r.documents_secure,
      documentsTotal: r.documents_total,
    }));
  }
}
