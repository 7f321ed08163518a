import type { TaskView } from '../parcels/upstream-shapes';

export interface SearchCriteria {
  readonly text: string;
  readonly propertyId?: string;
  readonly stewardId?: string;
}

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
  readonly matched: 'tracking_number' | 'resident';
  readonly caseIds: readonly string[];
  /** The most pressing task state of the parcel: open, then acknowledged, then closed. */
  readonly state: string;
  readonly lastActivityAt: string;
}

const STATE_RANK: Readonly<Record<string, number>> = { open: 0, acknowledged: 1, closed: 2 };

/**
 * Case-, width- and separator-insensitive form: people type tracking numbers with spaces or dashes
 * and full-width digits from a Chinese keyboard (NFKC folds those).
 */
export function normaliseSearchText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s\-_.·]+/g, '');
}

function matchOf(task: TaskView, needle: string): ParcelHit['matched'] | null {
  if (normaliseSearchText(task.trackingNumber).includes(needle)) return 'tracking_number';
  if (task.residentName && normaliseSearchText(task.residentName).includes(needle)) return 'resident';
  return null;
}

const byState = (a: TaskView, b: TaskView) => (STATE_RANK[a.state] ?? 3) - (STATE_RANK[b.state] ?? 3);

/** One parcel's matching tasks as one hit: facts from its newest task, the most pressing state. */
function hitOf(matches: ReadonlyArray<{ task: TaskView; matched: ParcelHit['matched'] }>): ParcelHit {
  const newest = [...matches].sort((a, b) => b.task.createdAt.localeCompare(a.task.createdAt))[0]!.task;
  const caseIds = [...new Set(matches.flatMap((m) => (m.task.caseId ? [m.task.caseId] : [])))].sort();
  return {
    parcelId: newest.parcelId,
    carrierCode: newest.carrierCode,
    trackingNumber: newest.trackingNumber,
    propertyId: newest.propertyId,
    stewardId: newest.stewardId ?? null,
    stewardName: newest.stewardName ?? null,
    residentName: matches.find((m) => m.task.residentName)?.task.residentName ?? null,
    matched: matches.some((m) => m.matched === 'tracking_number') ? 'tracking_number' : 'resident',
    caseIds,
    state: [...matches.map((m) => m.task)].sort(byState)[0]!.state,
    lastActivityAt: newest.createdAt,
  };
}

/**
 * Parcels whose tasks match the text by tracking number or resident, narrowed by property and
 * steward, one hit per parcel: active parcels first, then the most recent. Pure.
 */
export function searchTasks(tasks: readonly TaskView[], criteria: SearchCriteria): ParcelHit[] {
  const needle = normaliseSearchText(criteria.text);
  if (!needle) return [];
  const byParcel = new Map<string, Array<{ task: TaskView; matched: ParcelHit['matched'] }>>();
  for (const task of tasks) {
    if (criteria.propertyId && task.propertyId !== criteria.propertyId) continue;
    if (criteria.stewardId && task.stewardId !== criteria.stewardId) continue;
    const matched = matchOf(task, needle);
    if (matched) byParcel.set(task.parcelId, [...(byParcel.get(task.parcelId) ?? []), { task, matched }]);
  }
  return [...byParcel.values()]
    .map(hitOf)
    .sort(
      (a, b) =>
        (STATE_RANK[a.state] ?? 3) - (STATE_RANK[b.state] ?? 3) ||
        b.lastActivityAt.localeCompare(a.lastActivityAt) ||
        a.parcelId.localeCompare(b.parcelId),
    );
}

/** The stewards seen on the tasks, for the steward filter (notification has no staff list API). */
export function stewardsOf(tasks: readonly TaskView[]): Array<{ id: string; name: string | null }> {
  const byId = new Map<string, string | null>();
  for (const t of tasks) if (t.stewardId) byId.set(t.stewardId, t.stewardName ?? byId.get(t.stewardId) ?? null);
  return [...byId.entries()].map(([id, name]) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id));
}
