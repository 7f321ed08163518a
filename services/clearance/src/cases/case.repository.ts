import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TimerRules } from '../deadlines/timer-rules';
import { returnedRows } from '@portico/messaging';
import type {
  CaseOrigin,
  CaseTransition,
  ClearanceCase,
  DeadlineSource,
  DocumentsChannel,
  DocumentTypeName,
  ExpediteReason,
  HoldReason,
  TransitionCause,
} from './case';
import type { CaseState } from './case-state';

interface CaseRow {
  id: string;
  tenant_id: string;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  hold_reason: HoldReason;
  hold_key: string;
  state: CaseState;
  required_documents: DocumentTypeName[];
  documents_round: number;
  deadline: Date;
  deadline_source: DeadlineSource;
  expedited: boolean;
  expedite_reasons: ExpediteReason[];
  origin: CaseOrigin;
  policy_id: string;
  trigger_event_id: string;
  recipient_name_digest: Buffer | null;
  recipient_name_digest_key_id: string | null;
  hold_occurred_at: Date;
  last_event_at: Date;
  opened_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  version: number;
  property_id: string | null;
  ack_due_at: Date | null;
  acknowledged_at: Date | null;
  ack_sla_breached_at: Date | null;
  documents_received_at: Date | null;
  documents_channel: DocumentsChannel | null;
  timer_rules: TimerRules | null;
}

interface TransitionRow {
  case_id: string;
  from_state: CaseState | null;
  to_state: CaseState;
  cause: TransitionCause;
  cause_event_id: string | null;
  at: Date;
}

const CASE_COLUMNS = `id, tenant_id, parcel_id, carrier_code, tracking_number, hold_reason, hold_key, state,
  required_documents, documents_round, deadline, deadline_source, expedited, expedite_reasons, origin,
  policy_id, trigger_event_id, recipient_name_digest, recipient_name_digest_key_id, hold_occurred_at,
  last_event_at, opened_at, updated_at, closed_at, version, property_id, ack_due_at, acknowledged_at,
  ack_sla_breached_at, documents_received_at, documents_channel, timer_rules`;

function toCase(row: CaseRow): ClearanceCase {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    parcel: { parcelId: row.parcel_id, carrierCode: row.carrier_code, trackingNumber: row.tracking_number },
    holdReason: row.hold_reason,
    holdKey: row.hold_key,
    state: row.state,
    requiredDocuments: row.required_documents,
    documentsRound: row.documents_round,
    deadline: row.deadline,
    deadlineSource: row.deadline_source,
    expedited: row.expedited,
    expediteReasons: row.expedite_reasons,
    origin: row.origin,
    policyId: row.policy_id,
    triggerEventId: row.trigger_event_id,
    recipientNameDigest:
      row.recipient_name_digest && row.recipient_name_digest_key_id
        ? { value: new Uint8Array(row.recipient_name_digest), keyId: row.recipient_name_digest_key_id }
        : null,
    holdOccurredAt: row.hold_occurred_at,
    lastEventAt: row.last_event_at,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    version: row.version,
    propertyId: row.property_id,
    ackDueAt: row.ack_due_at,
    acknowledgedAt: row.acknowledged_at,
    ackSlaBreachedAt: row.ack_sla_breached_at,
    documentsReceivedAt: row.documents_received_at,
    documentsChannel: row.documents_channel,
    timerRules: row.timer_rules,
  };
}

/** All SQL for cases and their history. Runs only inside the manager (transaction) it is given. */
@Injectable()
export class CaseRepository {
  /**
   * Every case of a parcel for a tenant, oldest first. With `lock`, the rows stay locked until the
   * transaction ends, so an open case cannot be closed by another transaction meanwhile.
   */
  async casesOfParcel(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    options: { lock: boolean },
  ): Promise<ClearanceCase[]> {
    const rows = await m.query<CaseRow[]>(
      `SELECT ${CASE_COLUMNS} FROM clearance_cases
        WHERE tenant_id = $1 AND parcel_id = $2
        ORDER BY opened_at, id${options.lock ? ' FOR UPDATE' : ''}`,
      [tenantId, parcelId],
    );
    return rows.map(toCase);
  }

  /**
   * Inserts a new case with its first history rows, in one statement (the opening path is the
   * consumer's hottest); false, and nothing written, when its hold already has a case (the unique
   * indexes decided).
   */
  async insert(m: EntityManager, c: ClearanceCase, history: readonly CaseTransition[]): Promise<boolean> {
    const rows = await m.query<Array<{ id: string }>>(
      `WITH inserted AS (
         INSERT INTO clearance_cases (${CASE_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11, $12, $13, $14::text[], $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32::jsonb)
         ON CONFLICT DO NOTHING
         RETURNING id
       ), history AS (
         INSERT INTO clearance_case_transitions (case_id, from_state, to_state, cause, cause_event_id, at)
         SELECT t.case_id, t.from_state, t.to_state, t.cause, t.cause_event_id, t.at
           FROM unnest($33::text[], $34::text[], $35::text[], $36::text[], $37::text[], $38::timestamptz[])
                WITH ORDINALITY AS t(case_id, from_state, to_state, cause, cause_event_id, at, n)
          WHERE EXISTS (SELECT 1 FROM inserted)
          ORDER BY n
       )
       SELECT id FROM inserted`,
      [
        c.id,
        c.tenantId,
        c.parcel.parcelId,
        c.parcel.carrierCode,
        c.parcel.trackingNumber,
        c.holdReason,
        c.holdKey,
        c.state,
        c.requiredDocuments,
        c.documentsRound,
        c.deadline,
        c.deadlineSource,
        c.expedited,
        c.expediteReasons,
        c.origin,
        c.policyId,
        c.triggerEventId,
        c.recipientNameDigest ? Buffer.from(c.recipientNameDigest.value) : null,
        c.recipientNameDigest?.keyId ?? null,
        c.holdOccurredAt,
        c.lastEventAt,
        c.openedAt,
        c.updatedAt,
        c.closedAt,
        c.version,
        c.propertyId,
        c.ackDueAt,
        c.acknowledgedAt,
        c.ackSlaBreachedAt,
        c.documentsReceivedAt,
        c.documentsChannel,
        c.timerRules ? JSON.stringify(c.timerRules) : null,
        history.map((t) => t.caseId),
        history.map((t) => t.from),
        history.map((t) => t.to),
        history.map((t) => t.cause),
        history.map((t) => t.causeEventId),
        history.map((t) => t.at),
      ],
    );
    return rows.length === 1;
  }

  /**
   * Stores a transition computed from `expectedVersion`; false when the row moved on meanwhile
   * (optimistic check on top of the row lock, so a lost update cannot go unnoticed).
   */
  async saveTransition(m: EntityManager, next: ClearanceCase, expectedVersion: number): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE clearance_cases
            SET state = $3, documents_round = $4, last_event_at = $5, updated_at = $6, closed_at = $7,
                version = $8, ack_due_at = $9, acknowledged_at = $10, ack_sla_breached_at = $11,
                documents_received_at = $12, documents_channel = $13
          WHERE id = $1 AND version = $2
          RETURNING id`,
        [
          next.id,
          expectedVersion,
          next.state,
          next.documentsRound,
          next.lastEventAt,
          next.updatedAt,
          next.closedAt,
          next.version,
          next.ackDueAt,
          next.acknowledgedAt,
          next.ackSlaBreachedAt,
          next.documentsReceivedAt,
          next.documentsChannel,
        ],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Moves the case's "newest applied event" mark forward (a repeated scan of the same hold), so
   * that older release scans arriving later are recognised as older than the hold.
   */
  async markNewerEvent(m: EntityManager, caseId: string, occurredAt: Date): Promise<void> {
    await m.query(`UPDATE clearance_cases SET last_event_at = $2 WHERE id = $1 AND last_event_at < $2`, [
      caseId,
      occurredAt,
    ]);
  }

  async addTransitions(m: EntityManager, transitions: readonly CaseTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    await m.query(
      `INSERT INTO clearance_case_transitions (case_id, from_state, to_state, cause, cause_event_id, at)
       SELECT case_id, from_state, to_state, cause, cause_event_id, at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
              WITH ORDINALITY AS t(case_id, from_state, to_state, cause, cause_event_id, at, n)
        ORDER BY n`,
      [
        transitions.map((t) => t.caseId),
        transitions.map((t) => t.from),
        transitions.map((t) => t.to),
        transitions.map((t) => t.cause),
        transitions.map((t) => t.causeEventId),
        transitions.map((t) => t.at),
      ],
    );
  }

  /** With `lock`, the row stays locked until the transaction ends (events and timers of one case serialise). */
  async findById(
    m: EntityManager,
    caseId: string,
    options: { lock: boolean } = { lock: false },
  ): Promise<ClearanceCase | undefined> {
    const rows = await m.query<CaseRow[]>(
      `SELECT ${CASE_COLUMNS} FROM clearance_cases WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [caseId],
    );
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /** Several cases by id, locked in id order (one statement; a consistent lock order for batches). */
  async findManyForUpdate(m: EntityManager, caseIds: readonly string[]): Promise<ClearanceCase[]> {
    if (caseIds.length === 0) return [];
    const rows = await m.query<CaseRow[]>(
      `SELECT ${CASE_COLUMNS} FROM clearance_cases WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [[...new Set(caseIds)]],
    );
    return rows.map(toCase);
  }

  /**
   * Acknowledgement and SLA-breach marks: not state changes, so no history row, but the version
   * moves so a concurrent transition computed from the old row is refused.
   */
  async saveAckMarks(
    m: EntityManager,
    next: Pick<ClearanceCase, 'id' | 'acknowledgedAt' | 'ackSlaBreachedAt' | 'updatedAt' | 'version'>,
    expectedVersion: number,
  ): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE clearance_cases SET acknowledged_at = $3, ack_sla_breached_at = $4, updated_at = $5, version = $6
          WHERE id = $1 AND version = $2 RETURNING id`,
        [next.id, expectedVersion, next.acknowledgedAt, next.ackSlaBreachedAt, next.updatedAt, next.version],
      ),
    );
    return rows.length === 1;
  }

  /** The property a parcel was resolved to, on the tenant's cases of it that do not know it yet. */
  async setProperty(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    propertyId: string,
  ): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE clearance_cases SET property_id = $3
          WHERE tenant_id = $1 AND parcel_id = $2 AND property_id IS DISTINCT FROM $3
          RETURNING id`,
        [tenantId, parcelId, propertyId],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Every tenant's cases of a parcel, newest first; the caller filters by what the reader may see. */
  async findByParcel(m: EntityManager, parcelId: string): Promise<ClearanceCase[]> {
    const rows = await m.query<CaseRow[]>(
      `SELECT ${CASE_COLUMNS} FROM clearance_cases WHERE parcel_id = $1 ORDER BY opened_at DESC, id DESC`,
      [parcelId],
    );
    return rows.map(toCase);
  }

  /** Transitions of the given cases, oldest first. */
  async historyOf(m: EntityManager, caseIds: readonly string[]): Promise<CaseTransition[]> {
    if (caseIds.length === 0) return [];
    const rows = await m.query<TransitionRow[]>(
      `SELECT case_id, from_state, to_state, cause, cause_event_id, at
         FROM clearance_case_transitions WHERE case_id = ANY($1::text[]) ORDER BY id`,
      [caseIds],
    );
    return rows.map((r) => ({
      caseId: r.case_id,
      from: r.from_state,
      to: r.to_state,
      cause: r.cause,
      causeEventId: r.cause_event_id,
      at: r.at,
    }));
  }
}
