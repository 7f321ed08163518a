import type { Language } from '../directory/directory.types';

export const TASK_KINDS = ['documents_requested', 'reupload_requested', 'unmatched_parcel'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_STATES = ['open', 'acknowledged', 'closed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** How a task ended (TaskResolution in the outreach contract). */
export type CloseResolution = 'completed' | 'case_advanced' | 'case_ended' | 'cancelled';

export interface TaskScript {
  readonly templateRef: string;
  /** The language the steward should send (the resident's, or the steward's own for desk tasks). */
  readonly language: Language;
  /** Rendered text with the resident-name slot (templates/template.ts NAME_SLOT). */
  readonly zh: string;
  readonly en: string;
}

export interface OutreachTask {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly caseId: string | null;
  readonly round: number;
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly kind: TaskKind;
  readonly stewardId: string | null;
  readonly residentId: string | null;
  readonly state: TaskState;
  readonly ackDueAt: Date;
  readonly deadline: Date | null;
  readonly expedited: boolean;
  readonly script: TaskScript;
  readonly createdAt: Date;
}

export interface AckSla {
  readonly normalMs: number;
  readonly expeditedMs: number;
}

/**
 * When the steward must have acknowledged the task: the SLA (shorter for expedited cases), but
 * never after the case deadline — an acknowledgement that comes after the parcel went back is
 * worthless, so escalation must start before it.
 */
export function ackDueAt(now: Date, task: { expedited: boolean; deadline: Date | null }, sla: AckSla): Date {
  const due = new Date(now.getTime() + (task.expedited ? sla.expeditedMs : sla.normalMs));
  if (task.deadline && task.deadline.getTime() > now.getTime() && task.deadline.getTime() < due.getTime()) {
    return task.deadline;
  }
  return due;
}

/** Round 1 asks for documents; every later round follows a rejection. */
export function documentsTaskKind(round: number): TaskKind {
  return round > 1 ? 'reupload_requested' : 'documents_requested';
}
