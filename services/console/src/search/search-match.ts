import type { TaskSearchFields, TaskView } from '../parcels/upstream-shapes';

/** A task notification's search found, with what the text matched. */
export type TaskHit = TaskView & TaskSearchFields;

export type HitMatch = 'tracking_number' | 'unit' | 'resident';

/** One parcel found, with what a steward needs to pick the right one. */
export interface ParcelHit {
  readonly parcelId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly propertyId: string | null;
  readonly stewardId: string | null;
  readonly stewardName: string | null;
  /** Only when notification showed it to this person (the property's own stewards and managers). */
  readonly residentName: string | null;
  /** The resident's unit, under the same rule. */
  readonly unitLabel: string | null;
  /** The most specific thing the text matched on any of the parcel's tasks. */
  readonly matched: HitMatch;
  readonly caseIds: readonly string[];
  /** The most pressing task state of the parcel: open, then acknowledged, then closed. */
  readonly state: string;
  readonly lastActivityAt: string;
}

const STATE_RANK: Readonly<Record<string, number>> = { open: 0, acknowledged: 1, closed: 2 };
const MATCH_ORDER: readonly HitMatch[] = ['tracking_number', 'unit', 'resident'];

const byState = (a: TaskView, b: TaskView) => (STATE_RANK[a.state] ?? 3) - (STATE_RANK[b.state] ?? 3);

/** One parcel's matching tasks as one hit: facts from its newest task, the most pressing state. */
function hitOf(tasks: readonly TaskHit[]): ParcelHit {
  const newest = [...tasks].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
  const caseIds = [...new Set(tasks.flatMap((t) => (t.caseId ? [t.caseId] : [])))].sort();
  const matched = MATCH_ORDER.find((m) => tasks.some((t) => t.matched.includes(m))) ?? 'tracking_number';
  return {
    parcelId: newest.parcelId,
    carrierCode: newest.carrierCode,
    trackingNumber: newest.trackingNumber,
    propertyId: newest.propertyId,
    stewardId: newest.stewardId ?? null,
    stewardName: newest.stewardName ?? null,
    residentName: tasks.find((t) => t.residentName)?.residentName ?? null,
    unitLabel: tasks.find((t) => t.unitLabel)?.unitLabel ?? null,
    matched,
    caseIds,
    state: [...tasks].sort(byState)[0]!.state,
    lastActivityAt: newest.createdAt,
  };
}

/**
 * notification's task hits (matched there, in the caller's scope) as one hit per parcel: active
 * parcels first, then the most recent. Pure.
 */
export function parcelHits(tasks: readonly TaskHit[]): ParcelHit[] {
  const byParcel = new Map<string, TaskHit[]>();
  for (const task of tasks) byParcel.set(task.parcelId, [...(byParcel.get(task.parcelId) ?? []), task]);
  return [...byParcel.values()]
    .map(hitOf)
    .sort(
      (a, b) =>
        (STATE_RANK[a.state] ?? 3) - (STATE_RANK[b.state] ?? 3) ||
        b.lastActivityAt.localeCompare(a.lastActivityAt) ||
        a.parcelId.localeCompare(b.parcelId),
    );
}
