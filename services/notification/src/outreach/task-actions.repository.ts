import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { StaffRole } from '../directory/directory.types';
import type { EscalationLevel } from './escalation';
import type { TaskIdentity } from './outreach-events';
import type { FollowUpTask } from '../messages/follow-up-messages';
import type { TaskKind, TaskState } from './outreach-task';

/** A task as the actions and the escalation timers change it (read under a row lock). */
export interface ActionableTask extends TaskIdentity {
  readonly kind: TaskKind;
  readonly state: TaskState;
  readonly stewardId: string | null;
  readonly residentId: string | null;
  readonly assigneeId: string | null;
  readonly escalationLevel: EscalationLevel;
  readonly ackDueAt: Date;
  readonly deadline: Date | null;
  readonly expedited: boolean;
  readonly createdAt: Date;
  readonly acknowledgedAt: Date | null;
  /** Clearance reported the round's documents in id-vault (DocumentsReceived). */
  readonly documentsReceivedAt: Date | null;
  readonly round: number;
}

/** The task as the follow-up messages need it. */
export function followUpOf(task: ActionableTask): FollowUpTask {
  return {
    id: task.id,
    tenantId: task.tenantId,
    propertyId: task.propertyId,
    caseId: task.caseId,
    parcelId: task.parcelId,
    carrierCode: task.carrierCode,
    trackingNumber: task.trackingNumber,
    kind: task.kind,
    residentId: task.residentId,
    deadline: task.deadline,
    expedited: task.expedited,
  };
}

export const TASK_ACTIONS = [
  'acknowledged',
  'contacted',
  'handed_over',
  'escalated',
  'resent',
  'reupload_requested',
  // the resident withdrew consent to a channel while the task was active (directory; no actor)
  'consent_withdrawn',
] as const;
export type TaskActionKind = (typeof TASK_ACTIONS)[number];

/** One timestamped thing a person or a timer did with a task (ids only). */
export interface TaskAction {
  readonly taskId: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly action: TaskActionKind;
  /** The person's user id; null for a timer. */
  readonly actorId: string | null;
  readonly channel?: string | null;
  readonly fromUserId?: string | null;
  readonly toUserId?: string | null;
  readonly level?: EscalationLevel | null;
  readonly reason?: string | null;
  readonly idempotencyKey?: string | null;
  readonly occurredAt: Date;
}

export interface RecordedAction extends TaskAction {
  readonly id: string;
}

/** SQL of task actions, assignment and escalation; every method runs in the caller's transaction. */
@Injectable()
export class TaskActionsRepository {
  /**
   * When the steward was (or will be) told of the task: the first attempt of their new-task notice,
   * or, while it still waits (quiet hours, rate limit), when it is due. Null without a notice.
   */
  async stewardToldAt(m: EntityManager, taskId: string, stewardId: string): Promise<Date | null> {
    const [row] = (await m.query(
      `SELECT COALESCE((SELECT min(a.started_at) FROM message_attempts a WHERE a.message_id = msg.id),
                       msg.next_attempt_at) AS told_at
         FROM messages msg WHERE msg.dedupe_key = $1`,
      [`task:${taskId}:steward:${stewardId}`],
    )) as { told_at: Date | null }[];
    return row?.told_at ?? null;
  }

  /** The residents' active documents tasks, locked (a consent withdrawal is recorded on each). */
  async activeTasksOfResidents(
    m: EntityManager,
    tenantId: string,
    residentIds: readonly string[],
  ): Promise<ActionableTask[]> {
    const rows: TaskRow[] = await m.query(
      `SELECT ${TASK_COLUMNS} FROM outreach_tasks
        WHERE tenant_id = $1 AND resident_id = ANY($2::text[]) AND state IN ('open', 'acknowledged')
        ORDER BY created_at, id
        FOR UPDATE`,
      [tenantId, residentIds],
    );
    return rows.map(toTask);
  }

  /** The task, locked until the transaction ends, so two clicks or a click and a timer serialise. */
  async lock(m: EntityManager, taskId: string): Promise<ActionableTask | null> {
    const rows: TaskRow[] = await m.query(
      `SELECT ${TASK_COLUMNS} FROM outreach_tasks WHERE id = $1 FOR UPDATE`,
      [taskId],
    );
    return rows[0] ? toTask(rows[0]) : null;
  }

  async acknowledge(m: EntityManager, taskId: string, userId: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE outreach_tasks
          SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, assignee_id = $3
        WHERE id = $1 AND state = 'open'`,
      [taskId, at, userId],
    );
  }

  /** Hands the task to a colleague: a fresh acknowledgement time when it was still open. */
  async handOver(m: EntityManager, taskId: string, toUserId: string, ackDueAt: Date | null): Promise<void> {
    await m.query(
      `UPDATE outreach_tasks
          SET steward_id = $2, assignee_id = $2, escalation_level = 'steward',
              ack_due_at = COALESCE($3, ack_due_at)
        WHERE id = $1`,
      [taskId, toUserId, ackDueAt],
    );
  }

  /**
   * Clearance has the round's documents (DocumentsReceived): marks the case's open documents tasks
   * of that round. Returns how many were marked.
   */
  async markDocumentsReceived(m: EntityManager, caseId: string, round: number, at: Date): Promise<number> {
    const result = await m.query(
      `UPDATE outreach_tasks SET documents_received_at = COALESCE(documents_received_at, $3)
        WHERE case_id = $1 AND round = $2 AND state <> 'closed'
          AND kind IN ('documents_requested', 'reupload_requested')
        RETURNING id`,
      [caseId, round, at],
    );
    return returnedRows<{ id: string }>(result).length;
  }

  /** The case's newest documents task (any state), for messages about the case as a whole. */
  async latestDocumentsTaskOfCase(
    m: EntityManager,
    caseId: string,
    openOnly: boolean,
  ): Promise<ActionableTask | null> {
    const rows: TaskRow[] = await m.query(
      `SELECT ${TASK_COLUMNS} FROM outreach_tasks
        WHERE case_id = $1 AND kind IN ('documents_requested', 'reupload_requested') AND resident_id IS NOT NULL
          AND ($2::boolean IS FALSE OR state <> 'closed')
        ORDER BY round DESC, created_at DESC LIMIT 1`,
      [caseId, openOnly],
    );
    return rows[0] ? toTask(rows[0]) : null;
  }

  async escalate(
    m: EntityManager,
    taskId: string,
    level: EscalationLevel,
    assigneeId: string | null,
    at: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE outreach_tasks SET escalation_level = $2, assignee_id = $3, escalated_at = $4 WHERE id = $1`,
      [taskId, level, assigneeId, at],
    );
  }

  /**
   * Records the action; with an idempotency key already used on this task nothing is written and
   * the earlier action is returned instead (`repeated: true`).
   */
  async record(m: EntityManager, a: TaskAction): Promise<{ action: RecordedAction; repeated: boolean }> {
    const result = await m.query(
      `INSERT INTO outreach_task_actions (task_id, tenant_id, property_id, action, actor_id, channel,
                                          from_user_id, to_user_id, level, reason, idempotency_key, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (task_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${ACTION_COLUMNS}`,
      [
        a.taskId,
        a.tenantId,
        a.propertyId,
        a.action,
        a.actorId,
        a.channel ?? null,
        a.fromUserId ?? null,
        a.toUserId ?? null,
        a.level ?? null,
        a.reason ?? null,
        a.idempotencyKey ?? null,
        a.occurredAt,
      ],
    );
    const inserted = returnedRows<ActionRow>(result)[0];
    if (inserted) return { action: toAction(inserted), repeated: false };
    const rows: ActionRow[] = await m.query(
      `SELECT ${ACTION_COLUMNS} FROM outreach_task_actions WHERE task_id = $1 AND idempotency_key = $2`,
      [a.taskId, a.idempotencyKey],
    );
    return { action: toAction(rows[0] as ActionRow), repeated: true };
  }

  /** The channel a resend / re-upload request went out on first (known once it was queued). */
  async setActionChannel(m: EntityManager, actionId: string, channel: string): Promise<RecordedAction> {
    const result = await m.query(
      `UPDATE outreach_task_actions SET channel = $2 WHERE id = $1 RETURNING ${ACTION_COLUMNS}`,
      [actionId, channel],
    );
    return toAction(returnedRows<ActionRow>(result)[0] as ActionRow);
  }

  async actions(m: EntityManager, taskId: string): Promise<RecordedAction[]> {
    const rows: ActionRow[] = await m.query(
      `SELECT ${ACTION_COLUMNS} FROM outreach_task_actions WHERE task_id = $1 ORDER BY occurred_at, id`,
      [taskId],
    );
    return rows.map(toAction);
  }

  /** The staff member's role when they work at the property (of the same tenant), else null. */
  async colleagueRole(m: EntityManager, staffId: string, task: TaskIdentity): Promise<StaffRole | null> {
    const rows: { role: StaffRole }[] = await m.query(
      `SELECT s.role FROM staff s JOIN staff_properties sp ON sp.staff_id = s.id
        WHERE s.id = $1 AND s.tenant_id = $2 AND sp.property_id = $3`,
      [staffId, task.tenantId, task.propertyId],
    );
    return rows[0]?.role ?? null;
  }
}

const TASK_COLUMNS = `id, tenant_id, property_id, case_id, parcel_id, carrier_code, tracking_number, kind, state,
  steward_id, resident_id, assignee_id, escalation_level, ack_due_at, deadline, expedited, created_at,
  acknowledged_at, documents_received_at, round`;

interface TaskRow {
  id: string;
  tenant_id: string;
  property_id: string;
  case_id: string | null;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  kind: TaskKind;
  state: TaskState;
  steward_id: string | null;
  resident_id: string | null;
  assignee_id: string | null;
  escalation_level: EscalationLevel;
  ack_due_at: Date;
  deadline: Date | null;
  expedited: boolean;
  created_at: Date;
  acknowledged_at: Date | null;
  documents_received_at: Date | null;
  round: number;
}

function toTask(r: TaskRow): ActionableTask {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    caseId: r.case_id,
    parcelId: r.parcel_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    kind: r.kind,
    state: r.state,
    stewardId: r.steward_id,
    residentId: r.resident_id,
    assigneeId: r.assignee_id,
    escalationLevel: r.escalation_level,
    ackDueAt: r.ack_due_at,
    deadline: r.deadline,
    expedited: r.expedited,
    createdAt: r.created_at,
    acknowledgedAt: r.acknowledged_at,
    documentsReceivedAt: r.documents_received_at,
    round: r.round,
  };
}

const ACTION_COLUMNS = `id, task_id, tenant_id, property_id, action, actor_id, channel, from_user_id, to_user_id,
  level, reason, idempotency_key, occurred_at`;

interface ActionRow {
  id: string;
  task_id: string;
  tenant_id: string;
  property_id: string;
  action: TaskActionKind;
  actor_id: string | null;
  channel: string | null;
  from_user_id: string | null;
  to_user_id: string | null;
  level: EscalationLevel | null;
  reason: string | null;
  idempotency_key: string | null;
  occurred_at: Date;
}

function toAction(r: ActionRow): RecordedAction {
  return {
    id: String(r.id),
    taskId: r.task_id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    action: r.action,
    actorId: r.actor_id,
    channel: r.channel,
    fromUserId: r.from_user_id,
    toUserId: r.to_user_id,
    level: r.level,
    reason: r.reason,
    idempotencyKey: r.idempotency_key,
    occurredAt: r.occurred_at,
  };
}
