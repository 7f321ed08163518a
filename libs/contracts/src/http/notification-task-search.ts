/**
 * notification's `POST /v1/outreach/tasks/search` answer beyond the task fields of its task list:
 * the HTTP contract between notification (services/notification/src/outreach/task-search*.ts) and
 * the console's search page.
 */
export type TaskSearchMatch = 'tracking_number' | 'unit' | 'resident';

export interface TaskSearchFields {
  /** What the text matched, most specific first. */
  readonly matched: readonly TaskSearchMatch[];
  /** The resident's unit (e.g. `12-03`), for the property's own stewards and managers only. */
  readonly unitLabel?: string;
}

/** A steward of the caller's properties, for the steward filter (names as the task list shows them). */
export interface TaskSearchSteward {
  readonly id: string;
  readonly name: string | null;
}
