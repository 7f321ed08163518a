import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@portico/messaging';
import type { FrontDeskReason } from '../outreach/front-desk.repository';
import type { DismissReason } from './front-desk-access';

export type QueueState = 'open' | 'linked' | 'dismissed';

/** A queued parcel as the front desk sees it (ids, tracking number, the carrier's unit: no personal data). */
export interface QueueEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string | null;
  readonly parcelId: string;
  readonly caseId: string | null;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly hintUnit: string;
  readonly reason: FrontDeskReason;
  readonly state: QueueState;
  readonly createdAt: Date;
  readonly request: {
    readonly round: number;
    readonly deadline: Date | null;
    readonly expedited: boolean;
    readonly documents: readonly number[];
  } | null;
  readonly linkedResidentId: string | null;
  readonly linkedBy: string | null;
  readonly linkedAt: Date | null;
  readonly dismissal: {
    readonly reason: DismissReason;
    /** Free text of the person who dismissed it: shown to the desk, never logged or emitted. */
    readonly note: string | null;
    readonly by: string;
    readonly at: Date;
  } | null;
}

export interface QueueFilter {
  readonly tenantId?: string;
  /** Entries of these properties; with `includeUnassigned`, also the tenant's entries without a property. */
  readonly propertyIds?: readonly string[];
  readonly includeUnassigned?: boolean;
  readonly state: QueueState;
  readonly limit: number;
}

/** Reads, the link and the dismissal of the front-desk queue (outreach/front-desk.repository.ts enqueues). */
@Injectable()
export class FrontDeskQueueRepository {
  async list(m: EntityManager, f: QueueFilter): Promise<QueueEntry[]> {
    const where = ['q.state = $1'];
    const params: unknown[] = [f.state];
    if (f.tenantId !== undefined) {
      params.push(f.tenantId);
      where.push(`q.tenant_id = $${params.length}`);
    }
    if (f.propertyIds !== undefined) {
      params.push(f.propertyIds);
      where.push(
        `(q.property_id = ANY($${params.length}::text[])${f.includeUnassigned ? ' OR q.property_id IS NULL' : ''})`,
      );
    }
    params.push(f.limit);
    const rows: QueueDbRow[] = await m.query(
      `SELECT q.* FROM front_desk_queue q WHERE ${where.join(' AND ')}
        ORDER BY q.created_at, q.id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toEntry);
  }

  /** The entry, row-locked until the caller's transaction ends (one link per entry). */
  async findForUpdate(m: EntityManager, id: string): Promise<QueueEntry | undefined> {
    const rows: QueueDbRow[] = await m.query(`SELECT * FROM front_desk_queue WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] && toEntry(rows[0]);
  }

  async markLinked(m: EntityManager, id: string, residentId: string, by: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE front_desk_queue
          SET state = 'linked', linked_resident_id = $2, linked_by = $3, linked_at = $4, updated_at = now()
        WHERE id = $1`,
      [id, residentId, by, at],
    );
  }

  async markDismissed(
    m: EntityManager,
    id: string,
    dismissal: { reason: DismissReason; note: string | null; by: string; at: Date },
  ): Promise<void> {
    await m.query(
      `UPDATE front_desk_queue
          SET state = 'dismissed', dismiss_reason = $2, dismiss_note = $3, dismissed_by = $4, dismissed_at = $5,
              updated_at = now()
        WHERE id = $1`,
      [id, dismissal.reason, dismissal.note, dismissal.by, dismissal.at],
    );
  }

  /** Whether clearance ended (or moved past) the case: its tasks were closed for that reason. */
  async caseEnded(m: EntityManager, caseId: string): Promise<boolean> {
    const result = await m.query(
      `SELECT 1 FROM outreach_tasks WHERE case_id = $1 AND close_resolution IN ('case_ended', 'case_advanced') LIMIT 1`,
      [caseId],
    );
    return returnedRows(result).length > 0;
  }
}

interface QueueDbRow {
  id: string;
  tenant_id: string;
  property_id: string | null;
  parcel_id: string;
  case_id: string | null;
  carrier_code: string;
  tracking_number: string;
  hint_unit: string;
  reason: FrontDeskReason;
  state: QueueState;
  created_at: Date;
  request_round: number | null;
  request_deadline: Date | null;
  request_expedited: boolean;
  request_documents: number[];
  linked_resident_id: string | null;
  linked_by: string | null;
  linked_at: Date | null;
  dismiss_reason: DismissReason | null;
  dismiss_note: string | null;
  dismissed_by: string | null;
  dismissed_at: Date | null;
}

function toEntry(r: QueueDbRow): QueueEntry {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    parcelId: r.parcel_id,
    caseId: r.case_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    hintUnit: r.hint_unit,
    reason: r.reason,
    state: r.state,
    createdAt: r.created_at,
    request:
      r.request_round === null
        ? null
        : {
            round: r.request_round,
            deadline: r.request_deadline,
            expedited: r.request_expedited,
            documents: r.request_documents,
          },
    linkedResidentId: r.linked_resident_id,
    linkedBy: r.linked_by,
    linkedAt: r.linked_at,
    dismissal:
      r.dismiss_reason === null
        ? null
        : { reason: r.dismiss_reason, note: r.dismiss_note, by: r.dismissed_by!, at: r.dismissed_at! },
  };
}
