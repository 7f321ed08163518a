import type { MessageTemplate } from './message-template';
import { RESIDENT_DOCUMENTS_REQUESTED, RESIDENT_REUPLOAD_REQUESTED } from './resident-documents';
import { STEWARD_NEW_TASK } from './steward-new-task';

export * from './message-template';
export * from './rejection-reasons';
export { RESIDENT_DOCUMENTS_REQUESTED, RESIDENT_REUPLOAD_REQUESTED, STEWARD_NEW_TASK };

/** Every message template by `id@version`. Old versions stay here while queued messages may use them. */
export const MESSAGE_TEMPLATES: ReadonlyMap<string, MessageTemplate> = new Map(
  [RESIDENT_DOCUMENTS_REQUESTED, RESIDENT_REUPLOAD_REQUESTED, STEWARD_NEW_TASK].map((t) => [
    `${t.id}@${t.version}`,
    t,
  ]),
);
