import { Injectable } from '@nestjs/common';
import { SEARCH_TEXT_SQL, type TaskSearchMatch } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import { SqlConditions } from '../shared/sql-conditions';
import type { Language } from '../directory/directory.types';
import { returnedRows } from '@portico/messaging';
import type { EscalationLevel } from './escalation';
import type { CloseResolution, OutreachTask, TaskKind, TaskState } from './outreach-task';

/** What a task search is narrowed by; the access scope is already folded in. */
export interface TaskSearchFilter {
  readonly tenantId?: string;
  readonly propertyIds?: readonly string[];
  /** The search text in normaliseSearchText's form. */
  readonly needle: string;
  /** Properties whose resident names and units may be matched (the caller's own, as a steward or manager). */
  readonly namesIn: readonly string[];
  readonly stewardId?: string;
  readonly state?: TaskState;
  readonly limit: number;
}

export interface TaskSearchRow extends TaskListRow {
  readonly unitLabel: string | null;
  readonly matched: readonly TaskSearchMatch[];
}

/** What the task list may be narrowed by; the access scope is already folded in. */
export interface TaskFilter {
  readonly tenantId?: string;
  /** Only tasks of these properties (a steward's or manager's own). */
  readonly propertyIds?: readonly string[];
  readonly parcelId?: string;
  readonly caseId?: string;
  readonly state?: TaskState;
  readonly limit: number;
}

/** A task as the read API shows it, with the names it may reveal to allowed callers. */
export interface TaskListRow extends OutreachTask {
  readonly acknowledgedAt: Date | null;
  readonly closedAt: Date | null;
  readonly closeResolution: CloseResolution | null;
  readonly escalationLevel: EscalationLevel;
  readonly assigneeId: string | null;
  readonly stewardName: string | null;
  readonly residentName: string | null;
}

/** All SQL of outreach tasks; every method takes the caller's transaction (or the read manager). */
@Injectable()
export class OutreachRepository {
  /**
   * Whether the round already has its documents task. An unmatched-parcel task does not count: once
   * the front desk links the parcel the same round goes on to the documents task (a redelivery
   * before that finds the queue entry and the unmatched task already there: both inserts are no-ops).
   */
  async existsForCaseRound(m: EntityManager, caseId: string, round: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM outreach_tasks WHERE case_id = $1 AND round = $2 AND kind <> 'unmatched_parcel' LIMIT 1`,
      [caseId, round],
    );
    return rows.length > 0;
  }

  /** Inserts the task unless its (case, round, kind) already has one; true when inserted. */
  async insert(m: EntityManager, t: OutreachTask): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO outreach_tasks (id, tenant_id, property_id, case_id, round, parcel_id, carrier_code,
                                   tracking_number, kind, steward_id, resident_id, state, ack_due_at,
                                   deadline, expedited, script_template, script_language, script_zh,
                                   script_en, created_at, assignee_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $10)
       ON CONFLICT (case_id, round, kind) DO NOTHING
       RETURNING id`,
      [
        t.id,
        t.tenantId,
        t.propertyId,
        t.caseId,
        t.round,
        t.parcelId,
        t.carrierCode,
        t.trackingNumber,
        t.kind,
        t.stewardId,
        t.residentId,
        t.state,
        t.ackDueAt,
        t.deadline,
        t.expedited,
        t.script.templateRef,
        t.script.language,
        t.script.zh,
        t.script.en,
        t.createdAt,
      ],
    );
    return rows.length > 0;
  }

  /** Closes the case's tasks that are not closed yet (optionally only some kinds, or all but one task). */
  async closeOpenOfCase(
    m: EntityManager,
    caseId: string,
    resolution: CloseResolution,
    at: Date,
    options: { kinds?: readonly TaskKind[]; exceptTaskId?: string } = {},
  ): Promise<OutreachTask[]> {
    const result = await m.query(
      `UPDATE outreach_tasks
          SET state = 'closed', closed_at = $2, close_resolution = $3
        WHERE case_id = $1 AND state <> 'closed'
          AND ($4::text[] IS NULL OR kind = ANY($4::text[]))
          AND ($5::text IS NULL OR id <> $5)
       RETURNING *`,
      [caseId, at, resolution, options.kinds ?? null, options.exceptTaskId ?? null],
    );
    return returnedRows<TaskDbRow>(result).map(toTask);
  }

  async list(m: EntityManager, f: TaskFilter): Promise<TaskListRow[]> {
    const q = scopedConditions(new SqlConditions(), f)
      .optional('t.parcel_id = ?', f.parcelId)
      .optional('t.case_id = ?', f.caseId)
      .optional('t.state = ?', f.state);
    const limit = q.bind(f.limit);
    const rows: ListDbRow[] = await m.query(
      `SELECT t.*, s.name AS steward_name, r.name AS resident_name
         FROM outreach_tasks t
         LEFT JOIN staff s ON s.id = t.steward_id
         LEFT JOIN residents r ON r.id = t.resident_id
        ${q.where}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT ${limit}`,
      q.params,
    );
    return rows.map(toListRow);
  }

  /**
   * Tasks whose tracking number contains the needle, or — only in `namesIn` properties, where the
   * caller may see names — whose resident's name or unit label does. Everything is compared in
   * normaliseSearchText's form (SEARCH_TEXT_SQL); `strpos`, not LIKE, so the needle needs no escaping.
   * Active tasks first, then the newest.
   */
  async search(m: EntityManager, f: TaskSearchFilter): Promise<TaskSearchRow[]> {
    const q = scopedConditions(new SqlConditions(f.needle, f.namesIn), f)
      .optional('t.steward_id = ?', f.stewardId)
      .optional('t.state = ?', f.state);
    const limit = q.bind(f.limit);
    const rows: (ListDbRow & {
      unit_label: string | null;
      by_tracking: boolean;
      by_resident: boolean;
      by_unit: boolean;
    })[] = await m.query(
      `SELECT * FROM (
           SELECT t.*, s.name AS steward_name, r.name AS resident_name, u.label AS unit_label,
                  strpos(${SEARCH_TEXT_SQL('t.tracking_number')}, $1) > 0 AS by_tracking,
                  (t.property_id = ANY($2::text[]) AND strpos(${SEARCH_TEXT_SQL('r.name')}, $1) > 0) IS TRUE AS by_resident,
                  (t.property_id = ANY($2::text[]) AND strpos(${SEARCH_TEXT_SQL('u.label')}, $1) > 0) IS TRUE AS by_unit
             FROM outreach_tasks t
             LEFT JOIN staff s ON s.id = t.steward_id
             LEFT JOIN residents r ON r.id = t.resident_id
             LEFT JOIN units u ON u.id = r.unit_id
            ${q.where}
         ) hits
         WHERE by_tracking OR by_resident OR by_unit
         ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, created_at DESC, id DESC
         LIMIT ${limit}`,
      q.params,
    );
    return rows.map((r) => ({
      ...toListRow(r),
      unitLabel: r.unit_label,
      matched: [
        ...(r.by_tracking ? (['tracking_number'] as const) : []),
        ...(r.by_unit ? (['unit'] as const) : []),
        ...(r.by_resident ? (['resident'] as const) : []),
      ],
    }));
  }

  /** The stewards assigned to these properties (not removed), for the search page's steward filter. */
  async stewards(
    m: EntityManager,
    scope: { tenantId?: string; propertyIds?: readonly string[] },
  ): Promise<Array<{ id: string; name: string; propertyIds: string[] }>> {
    const rows: Array<{ id: string; name: string; property_ids: string[] }> = await m.query(
      `SELECT s.id, s.name, array_agg(sp.property_id ORDER BY sp.property_id) AS property_ids
         FROM staff s JOIN staff_properties sp ON sp.staff_id = s.id
        WHERE s.role = 'steward' AND s.removed_at IS NULL
          AND ($1::text IS NULL OR s.tenant_id = $1) AND ($2::text[] IS NULL OR sp.property_id = ANY($2::text[]))
        GROUP BY s.id, s.name ORDER BY s.id LIMIT 500`,
      [scope.tenantId ?? null, scope.propertyIds ?? null],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, propertyIds: r.property_ids }));
  }
}

/** The read scope (tenant, properties) as conditions on `t`, the tasks table. */
function scopedConditions(
  q: SqlConditions,
  f: { tenantId?: string; propertyIds?: readonly string[] },
): SqlConditions {
  return q.optional('t.tenant_id = ?', f.tenantId).optional('t.property_id = ANY(?::text[])', f.propertyIds);
}

type ListDbRow = TaskDbRow & { steward_name: string | null; resident_name: string | null };

function toListRow(r: ListDbRow): TaskListRow {
  return {
    ...toTask(r),
    acknowledgedAt: r.acknowledged_at,
    closedAt: r.closed_at,
    closeResolution: r.close_resolution,
    escalationLevel: r.escalation_level,
    assigneeId: r.assignee_id,
    stewardName: r.steward_name,
    residentName: r.resident_name,
  };
}

interface TaskDbRow {
  id: string;
  tenant_id: string;
  property_id: string;
  case_id: string | null;
  round: number;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  kind: TaskKind;
  steward_id: string | null;
  resident_id: string | null;
  state: TaskState;
  ack_due_at: Date;
  deadline: Date | null;
  expedited: boolean;
  script_template: string;
  script_language: Language;
  script_zh: string;
  script_en: string;
  created_at: Date;
  acknowledged_at: Date | null;
  closed_at: Date | null;
  close_resolution: CloseResolution | null;
  escalation_level: EscalationLevel;
  assignee_id: string | null;
}

function toTask(r: TaskDbRow): OutreachTask {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    caseId: r.case_id,
    round: r.round,
    parcelId: r.parcel_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    kind: r.kind,
    stewardId: r.steward_id,
    residentId: r.resident_id,
    state: r.state,
    ackDueAt: r.ack_due_at,
    deadline: r.deadline,
    expedited: r.expedited,
    script: { templateRef: r.script_template, language: r.script_language, zh: r.script_zh, en: r.script_en },
    createdAt: r.created_at,
  };
}
