/**
 * Outbox rows are spread over a fixed number of lanes by key. A relay publishes only rows of lanes
 * it holds a transaction-scoped advisory lock on, so two relays never publish rows of the same key
 * concurrently, which keeps per-key order with any number of relay instances (plain SKIP LOCKED
 * would let a second relay publish row 600 of a key while the first is still sending row 3).
 *
 * Changing the count moves keys between lanes: only do it with an empty outbox.
 */
export const OUTBOX_LANE_COUNT = 64;

/** FNV-1a over the key's UTF-8 bytes: stable across processes and versions (unlike Postgres'
 * internal hash functions). */
export function outboxLaneOf(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % OUTBOX_LANE_COUNT;
}

/** First key of the advisory lock pair; the lane is the second. Spells "PORT". */
export const OUTBOX_LANE_LOCK_CLASS = 0x504f5254;
