import { ALL_WEBHOOK_EVENT_TYPES } from './webhook-events';

/**
 * A subscription's event-type filter: exact types (`clearance.case.opened`), a prefix wildcard ending
 * in `.*` (`clearance.*`, `outreach.task.*`) or `*` for everything.
 */
export function matchesEventType(filters: readonly string[], type: string): boolean {
  return filters.some(
    (f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))),
  );
}

/** Whether a filter entry names at least one known event type (a typo would silently match none). */
export function isKnownFilter(filter: string): boolean {
  return ALL_WEBHOOK_EVENT_TYPES.some((t) => matchesEventType([filter], t));
}
