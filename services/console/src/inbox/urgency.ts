/** The fields of an outreach task that decide how urgent it is. */
export interface UrgencyFacts {
  readonly id: string;
  readonly deadline: string | null;
  readonly expedited: boolean;
  readonly createdAt: string;
}

const time = (iso: string | null): number => (iso ? Date.parse(iso) : Number.POSITIVE_INFINITY);

/**
 * Inbox order: the nearest deadline first (tasks without one after all that have one), then
 * expedited before normal, then the oldest first (it has waited longest); the id breaks ties so the
 * order is stable between refreshes.
 */
export function byUrgency(a: UrgencyFacts, b: UrgencyFacts): number {
  return (
    time(a.deadline) - time(b.deadline) ||
    Number(b.expedited) - Number(a.expedited) ||
    time(a.createdAt) - time(b.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function sortByUrgency<T extends UrgencyFacts>(tasks: readonly T[]): T[] {
  return [...tasks].sort(byUrgency);
}
