import type { MessageTemplate } from './message-template';
import {
  RESIDENT_CASE_CANCELLED,
  RESIDENT_CASE_CLEARED,
  RESIDENT_CASE_EXPIRED,
  RESIDENT_HOLD_PREDICTED,
  RESIDENT_RETURNED_TO_SENDER,
} from './resident-case-notices';
import { RESIDENT_DOCUMENTS_REQUESTED, RESIDENT_REUPLOAD_REQUESTED } from './resident-documents';
import { RESIDENT_DEADLINE_REMINDER, STEWARD_REUPLOAD_REQUEST } from './resident-follow-ups';
import { STAFF_TASK_ESCALATED } from './staff-task-escalated';
import { STEWARD_CONSENT_WITHDRAWN } from './steward-consent-withdrawn';
import { STEWARD_NEW_TASK } from './steward-new-task';

export * from './message-template';
export * from './rejection-reasons';
export {
  RESIDENT_CASE_CANCELLED,
  RESIDENT_CASE_CLEARED,
  RESIDENT_CASE_EXPIRED,
  RESIDENT_RETURNED_TO_SENDER,
  STEWARD_CONSENT_WITHDRAWN,
  RESIDENT_DEADLINE_REMINDER,
  RESIDENT_DOCUMENTS_REQUESTED,
  RESIDENT_HOLD_PREDICTED,
  RESIDENT_REUPLOAD_REQUESTED,
  STAFF_TASK_ESCALATED,
  STEWARD_NEW_TASK,
  STEWARD_REUPLOAD_REQUEST,
};

/** Every message template by `id@version`. Old versions stay here while queued messages may use them. */
export const MESSAGE_TEMPLATES: ReadonlyMap<string, MessageTemplate> = new Map(
  [
    RESIDENT_DOCUMENTS_REQUESTED,
    RESIDENT_REUPLOAD_REQUESTED,
    STEWARD_NEW_TASK,
    STEWARD_REUPLOAD_REQUEST,
    RESIDENT_DEADLINE_REMINDER,
    RESIDENT_HOLD_PREDICTED,
    RESIDENT_CASE_CLEARED,
    RESIDENT_CASE_EXPIRED,
    RESIDENT_RETURNED_TO_SENDER,
    RESIDENT_CASE_CANCELLED,
    STAFF_TASK_ESCALATED,
    STEWARD_CONSENT_WITHDRAWN,
  ].map((t) => [`${t.id}@${t.version}`, t]),
);
