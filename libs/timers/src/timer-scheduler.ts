import type { EntityManager } from 'typeorm';
import type { ScheduleTimer } from './timer';
import { assertValidSchedule, likePrefixPattern } from './timer-key';

/** What schedule() does when the key is already pending. */
export type OnExistingTimer = 'replace' | 'keep';

/**
 * Writes timers inside the caller's transaction: a timer commits with the state change that made
 * it (a clearance opened + its SLA timer) or not at all, so there is no window in which a crash
 * leaves state without its deadline, or a deadline for state that never existed.
 */
export class TimerScheduler {
  /**
   * Schedules `key`, or, when it is already pending, moves it: due_at and payload are replaced
   * (the last schedule wins), kind must match. Last-wins because the callers' common case is
   * "the deadline changed" (an SLA extended, a reminder pushed back); a redelivered message
   * scheduling the same deadline again is a no-op either way. `onExisting: 'keep'` keeps the first
   * one instead (DO NOTHING) for "at most one, the earliest wins" uses.
   *
   * "Pending" is the row's lifetime: firing deletes it, so the same key scheduled after its timer
   * fired is a new timer. Handlers therefore check the state they act on (is the clearance still
   * open?) rather than assume a timer can fire only once per key ever.
   *
   * A timer that a runner is firing right now is row-locked: this waits for that transaction. If
   * it commits, the row is gone and this inserts a new timer; if the handler failed, this moves
   * the retry to the new due time.
   *
   * @returns whether a timer was inserted or updated (false only with onExisting 'keep').
   */
  async schedule<P>(
    manager: EntityManager,
    timer: ScheduleTimer<P>,
    options: { onExisting?: OnExistingTimer } = {},
  ): Promise<boolean> {
    assertInTransaction(manager, 'schedule');
    assertValidSchedule(timer);
    const onExisting = options.onExisting ?? 'replace';
    const payload = JSON.stringify(timer.payload ?? {});
    const conflict =
      onExisting === 'keep'
        ? 'DO NOTHING'
        : `DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload
             WHERE timers.kind = EXCLUDED.kind`;
    const rows = (await manager.query(
      `INSERT INTO timers (key, kind, due_at, payload) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (key) ${conflict}
       RETURNING id`,
      [timer.key, timer.kind, timer.dueAt, payload],
    )) as Array<{ id: string }>;
    if (rows.length > 0) return true;
    if (onExisting === 'keep') return false;
    // DO UPDATE ... WHERE skipped the row: same key, other kind. Reusing a key for another purpose
    // is a programming error, and silently keeping the old handler would hide it.
    throw new Error(`timer key is already pending with another kind (scheduling kind ${timer.kind})`);
  }

  /**
   * schedule() for several timers in one statement (same last-wins rule): the timers a state change
   * needs (an SLA, reminders, an expiry) cost one round trip instead of one each. Keys must be
   * distinct; a key pending with another kind throws (the caller's transaction must then roll back).
   */
  async scheduleMany<P>(manager: EntityManager, timers: readonly ScheduleTimer<P>[]): Promise<void> {
    assertInTransaction(manager, 'scheduleMany');
    if (timers.length === 0) return;
    for (const timer of timers) assertValidSchedule(timer);
    if (new Set(timers.map((t) => t.key)).size !== timers.length) {
      throw new Error('scheduleMany needs distinct keys');
    }
    const rows = (await manager.query(
      `INSERT INTO timers (key, kind, due_at, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])
       ON CONFLICT (key) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload
         WHERE timers.kind = EXCLUDED.kind
       RETURNING id`,
      [
        timers.map((t) => t.key),
        timers.map((t) => t.kind),
        timers.map((t) => t.dueAt),
        timers.map((t) => JSON.stringify(t.payload ?? {})),
      ],
    )) as Array<{ id: string }>;
    if (rows.length !== timers.length) {
      throw new Error('a timer key is already pending with another kind (scheduleMany)');
    }
  }

  /** Cancels one pending timer. @returns false when there was none (never scheduled, or fired). */
  async cancel(manager: EntityManager, key: string): Promise<boolean> {
    assertInTransaction(manager, 'cancel');
    const result = await manager.query(`DELETE FROM timers WHERE key = $1`, [key]);
    return affected(result) > 0;
  }

  /**
   * Cancels every pending timer whose key starts with `prefix` (taken literally), e.g. all of one
   * parcel's timers with `clearance-reminder:prc_123:`. End the prefix with the separator, or
   * `prc_1` also cancels `prc_12`. @returns how many were cancelled.
   */
  async cancelByPrefix(manager: EntityManager, prefix: string): Promise<number> {
    assertInTransaction(manager, 'cancelByPrefix');
    // An empty prefix would cancel everything: never what a caller meant.
    if (prefix.length === 0) throw new Error('cancelByPrefix needs a non-empty prefix');
    const result = await manager.query(`DELETE FROM timers WHERE key LIKE $1 ESCAPE '\\'`, [
      likePrefixPattern(prefix),
    ]);
    return affected(result);
  }
}

/** TypeORM's Postgres query() answers DELETE with `[rows, affectedCount]`. */
function affected(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

function assertInTransaction(manager: EntityManager, operation: string): void {
  // Outside a transaction the timer could commit without the state change (or the reverse).
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(`TimerScheduler.${operation} needs the EntityManager of an open transaction`);
  }
}
